import { describe, expect, test } from 'vitest';
import { memory, MemorySinkSpecError, postgres } from '../../../src/sinks/index.js';
import { memoryDriver } from '../../../src/sinks/memory/index.js';
import { sinkDriverSuite } from '../../support/sink-driver-suite.js';

sinkDriverSuite('memory', async () => {
  const driver = memoryDriver();
  await driver.open();
  return {
    driver,
    destination: async (_name, mode) => memory({ key: ['id'], mode }),
    rows: async (name) => driver.rows(name) as never,
    close: () => driver.close(),
  };
});

// The test driver serves postgres() sinks with the memory driver: the same suite, through postgres specs.
sinkDriverSuite('memory serving postgres() specs', async () => {
  const driver = memoryDriver({ serves: ['memory', 'postgres'] });
  return {
    driver,
    destination: async (name, mode) => postgres({ table: name.replaceAll('-', '_'), key: ['id'], mode }),
    rows: async (name) => driver.rows(name) as never,
    close: () => driver.close(),
  };
}, [11, 12]);

const target = (spec: ReturnType<typeof memory> | ReturnType<typeof postgres>, records: 'table' | 'stream' | 'dead-letter' = 'stream') => ({
  topology: 't', name: 's', spec, consumerGroup: 't.s', records, fields: [], keySchema: undefined, valueSchema: 'string' as const,
});

describe('memory()', () => {
  test('validates like postgres(): modes, key column names, no repeated key column', () => {
    expect(memory()).toEqual({ kind: 'memory', key: [], mode: 'upsert', columns: undefined });
    expect(() => memory({ mode: 'merge' as never })).toThrow(MemorySinkSpecError);
    expect(() => memory({ key: ['EventId'] })).toThrow(/invalid key column "EventId"/);
    expect(() => memory({ key: ['a', 'a'] })).toThrow(/twice/);
    expect(Object.isFrozen(memory({ key: ['a'] }).key)).toBe(true);
  });

  test('the driver refuses a kind it does not serve, naming the sink', () => {
    expect(() => memoryDriver().createSink(target(postgres({ table: 'x' })))).toThrow(/sink s: the memory driver serves memory, not "postgres"/);
  });

  test('rows are the snake_case fields; a text key fills the single key column; a table\'s state fields are left out', async () => {
    const driver = memoryDriver();
    const stream = driver.createSink(target(memory({ key: ['event_id'] })));
    await stream.writeBatch({ records: [{ topic: 'e', partition: 0, offset: 0n, key: 'e-1', value: { userId: 'u', nested: { aB: 1 } } }] });
    expect(driver.rows('s')).toEqual([{ user_id: 'u', nested_a_b: 1, event_id: 'e-1' }]);
    const table = driver.createSink({ ...target(memory(), 'table'), name: 'tbl' });
    await table.writeBatch({
      records: [
        { topic: 'x', partition: 0, offset: 0n, key: { route: 'R1', window_start: 0 }, value: { route: 'R1', window_start: 0, avg: 2, avg__sum: 4, avg__count: 2 } },
        { topic: 'x', partition: 0, offset: 1n, key: { route: 'R1', window_start: 0 }, value: { route: 'R1', window_start: 0, avg: 3, avg__sum: 9, avg__count: 3 } },
      ],
    });
    expect(driver.rows('tbl')).toEqual([{ route: 'R1', window_start: 0, avg: 3 }]);
  });

  test('a record without a value for a key column is refused and handed to deadLetter before anything changes', async () => {
    const driver = memoryDriver();
    const sink = driver.createSink(target(memory({ key: ['id'] }), 'table'));
    const letters: string[] = [];
    const outcome = await sink.writeBatch(
      { records: [{ topic: 'x', partition: 0, offset: 0n, key: { other: 1 }, value: { n: 1 } }, { topic: 'x', partition: 0, offset: 1n, key: { id: 'a' }, value: { n: 2 } }] },
      { deadLetter: async (rejected) => void letters.push(...rejected.map((r) => r.message)) },
    );
    expect(letters).toEqual(['record has no value for key column id']);
    expect(outcome).toMatchObject({ written: 1, rejected: [{ code: undefined }] });
    expect(driver.rows('s')).toEqual([{ id: 'a', n: 2 }]);
    const failing = driver.createSink({ ...target(memory({ key: ['id'] }), 'table'), name: 'f' });
    const refused = failing.writeBatch({ records: [{ topic: 'x', partition: 0, offset: 0n, key: {}, value: { n: 1 } }, { topic: 'x', partition: 0, offset: 1n, key: { id: 'b' }, value: { n: 1 } }] }, { deadLetter: async () => Promise.reject(new Error('kafka down')) });
    await expect(refused).rejects.toThrow('kafka down');
    expect(driver.rows('f')).toEqual([]);
    expect(await failing.open([{ topic: 'x', partition: 0 }])).toEqual([]);
  });

  test('dead-letter rows keep each field as one column, payload_json unflattened', async () => {
    const driver = memoryDriver();
    const spec = driver.deadLetterSpec(memory({ mode: 'append' }), ['reason', 'payload_json']);
    const sink = driver.createSink(target(spec as ReturnType<typeof memory>, 'dead-letter'));
    await sink.writeBatch({ records: [{ topic: 'd', partition: 0, offset: 0n, key: null, value: { reason: 'invalid', payload_json: { a: 1 }, other: 2 } }] });
    expect(driver.rows('s')).toEqual([{ reason: 'invalid', payload_json: { a: 1 } }]);
  });
});
