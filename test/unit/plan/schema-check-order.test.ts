import { count, plan, postgres, topology, TopologyDefinitionError, tumbling } from 'sluice';
import { describe, expect, test } from 'vitest';
import { checkTopologySchemas } from '../../../src/cli/start-up-checks.js';
import type { AvroRecordSchema } from '../../../src/serde/index.js';

// A misspelt groupBy field makes the table's key column misspelt too, so the sink's (correct) key
// no longer matches it. The error must be about the field, not "did you mean <the typo>?" for the sink.

const lot = { type: 'record', name: 'Lot', fields: [{ name: 'lot_id', type: 'string' }, { name: 'at', type: 'long' }] } as unknown as AvroRecordSchema;
type Lot = { lot_id: string; at: number };
const typo = (schema: string | AvroRecordSchema) =>
  topology('lots')
    .source<Lot>('lots', { schema, eventTime: 'at' })
    .deadLetter('dlq')
    .groupBy('by-lot', 'lot_idd' as 'lot_id')
    .window('w', tumbling('1m'))
    .aggregate('n', { n: count() })
    .toTable('per-lot')
    .sink('pg', postgres({ table: 'per_lot', key: ['lot_id', 'window_start'] }));

function stepOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyDefinitionError);
    return (error as TopologyDefinitionError).step;
  }
}

describe('the field upstream is reported before the sink that follows from it', () => {
  test('inline schema: plan() names the groupBy', () => {
    expect(stepOf(() => plan(typo(lot)))).toBe('by-lot');
  });

  test('named schema: plan() waits (the field is unchecked yet), the start-up check names the groupBy', () => {
    const planned = plan(typo('lot'));
    expect(stepOf(() => checkTopologySchemas(planned, (ref) => (ref === 'lot' ? lot : (ref as AvroRecordSchema))))).toBe('by-lot');
  });

  test('with the field right, a wrong sink key is still found at plan time', () => {
    const t = topology('lots').source<Lot>('lots', { schema: lot, eventTime: 'at' }).deadLetter('dlq').groupBy('by-lot', 'lot_id').window('w', tumbling('1m'))
      .aggregate('n', { n: count() }).toTable('per-lot').sink('pg', postgres({ table: 'per_lot', key: ['lot', 'window_start'] }));
    expect(stepOf(() => plan(t))).toBe('pg');
  });
});
