import { topology } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import type { AvroRecordSchema } from '../../../src/serde/avro-schema.js';
import { advanceStep, initialStepState, stepSchema, stepStateSchema, type Step, type StepState } from '../../support/step-lifecycle.js';

const schemas: Record<string, AvroRecordSchema> = { step: stepSchema, 'step-state': stepStateSchema };

function lifecycle(update?: (state: Readonly<StepState>, e: Step) => StepState | string) {
  return topology('track-unit')
    .source<Step>('steps', { schema: 'step', eventTime: 'at' })
    .deadLetter('steps.dlq')
    .groupByKey('by-id', { as: 'id' })
    .track<StepState>('lifecycle', {
      schema: 'step-state',
      initial: initialStepState,
      update: update ?? advanceStep,
    })
    .toTable('t.state');
}
const step = (id: string, status: string, at = 1) => ({ key: id, value: { id, status, at } });

describe('track on the driver (the same Task as on Kafka)', () => {
  test('state survives a restart: restored from the table topic, the next step continues from it', async () => {
    const driver = new TopologyTestDriver(lifecycle(), { schemas, partitions: 3 });
    const input = driver.input<Step>('steps');
    await input.sendAll([step('a', 'NEW'), step('b', 'NEW'), step('a', 'OPEN')]);
    await driver.restart();
    await input.sendAll([step('a', 'DONE'), step('b', 'DONE'), step('c', 'NEW')]);
    expect(await driver.table('t.state').rows()).toEqual([
      { id: 'a', status: 'DONE', steps: 3 },
      { id: 'b', status: 'NEW', steps: 1 },
      { id: 'c', status: 'NEW', steps: 1 },
    ]);
    const letters = await driver.deadLetters('steps.dlq').records();
    expect(letters.map((d) => [d.reason, d.step, d.message, d.key?.toString()])).toEqual([['rejected', 'lifecycle', 'NEW → DONE', 'b']]);
  });

  test('one table record per changed key and batch (the last state), on the key partition, keyed by the key column alone', async () => {
    const driver = new TopologyTestDriver(lifecycle(), { schemas, partitions: 2 });
    await driver.input<Step>('steps').sendAll([step('a', 'NEW', 5), step('a', 'OPEN', 7), step('a', 'OPEN', 8)]);
    const history = await driver.table('t.state').history();
    expect(history.map((h) => [h.key, h.value, h.timestamp])).toEqual([[{ id: 'a' }, { id: 'a', status: 'OPEN', steps: 2 }, 7]]);
    const sourcePartition = (await driver.deadLetters('steps.dlq').records())[0]?.source.partition;
    expect(history[0]?.partition).toBe(sourcePartition);
  });

  test('update that throws, returns a non-record, mutates the frozen state or breaks the schema: dead-lettered, state unchanged', async () => {
    const driver = new TopologyTestDriver(
      lifecycle((s, e) => {
        if (e.status === 'THROW') throw new Error('boom');
        if (e.status === 'NUMBER') return 42 as unknown as StepState;
        if (e.status === 'MUTATE') {
          (s as StepState).status = 'HACKED';
          return s;
        }
        if (e.status === 'BAD') return { ...s, steps: 'many' as unknown as number };
        return { ...s, status: e.status, steps: s.steps + 1, id: 'someone-else' };
      }),
      { schemas },
    );
    await driver.input<Step>('steps').sendAll(['OK', 'THROW', 'NUMBER', 'MUTATE', 'BAD'].map((s) => step('a', s)));
    const letters = await driver.deadLetters('steps.dlq').records();
    expect(letters.map((d) => [d.reason, d.source.offset])).toEqual([
      ['error', 1n],
      ['error', 2n],
      ['error', 3n],
      ['serialize', 4n],
    ]);
    expect(letters[0]?.message).toBe('update threw: boom');
    expect(letters[1]?.message).toMatch(/update returned number/);
    // The key column always holds the group key, whatever update put there.
    expect(await driver.table('t.state').rows()).toEqual([{ id: 'a', status: 'OK', steps: 1 }]);
  });

  test('a state schema without the key column fails before the first record, naming the step', async () => {
    const bad = { ...schemas, 'step-state': { ...schemas['step-state']!, fields: [{ name: 'status', type: 'string' }] } } as Record<string, AvroRecordSchema>;
    const driver = new TopologyTestDriver(lifecycle(), { schemas: bad });
    await expect(driver.input<Step>('steps').send({ id: 'a', status: 'NEW', at: 1 }, { key: 'a' })).rejects.toThrow(
      /step "lifecycle": the state schema has no field "id"/,
    );
  });
});
