import { count, hopping, topology, tumbling } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { IncompatibleSchemaError } from '../../../src/serde/index.js';
import { r, readingSchema, readingSchemas, type Reading } from '../../conformance/simple-fixture.js';

const passThrough = () => topology('evolve').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('dlq').to('out');

describe('schema registry behaviour through the driver', () => {
  test('a newer writer schema is resolved into the reader schema', async () => {
    const driver = new TopologyTestDriver(passThrough(), { schemas: readingSchemas });
    const v2 = { ...readingSchema, fields: [...readingSchema.fields, { name: 'unit', type: 'string', default: 'C' }] };
    await driver.input<Reading & { unit: string }>('readings').send({ sensor: 'a', value: 1, at: 2, unit: 'F' }, { schema: v2 });
    expect(await driver.output<Reading>('out').values()).toEqual([{ sensor: 'a', value: 1, at: 2 }]);
  });

  test('an incompatible writer schema is refused by the registry (BACKWARD)', async () => {
    const driver = new TopologyTestDriver(passThrough(), { schemas: readingSchemas });
    await driver.input<Reading>('readings').send({ sensor: 'a', value: 1, at: 2 });
    const broken = { ...readingSchema, fields: readingSchema.fields.map((f) => (f.name === 'value' ? { ...f, type: 'string' } : f)) };
    await expect(driver.input<unknown>('readings').send({ sensor: 'a', value: 'x', at: 3 }, { schema: broken })).rejects.toBeInstanceOf(
      IncompatibleSchemaError,
    );
  });
});

describe('windows on the driver', () => {
  test('hopping: a record whose older window closed still counts in its open window, and is not late', async () => {
    const t = topology('hop-late')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('g', 'sensor')
      .window('w', hopping(1000, 500), { grace: 0 })
      .aggregate('a', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas });
    await driver.input<Reading>('readings').sendAll([r('s', 10_000), r('s', 10_600)]); // watermark 10600 closes [9500, 10500)
    await driver.input<Reading>('readings').sendAll([r('s', 10_400)]); // in [9500,10500) (closed) and [10000,11000) (open)
    const rows = await driver.table<{ window_start: number; n: number }>('t').rows();
    expect(rows.map((row) => [row.window_start, row.n])).toEqual([
      [9_500, 1],
      [10_000, 3],
      [10_500, 1],
    ]);
    expect(driver.counters.late).toBe(0);
    expect(await driver.deadLetters('dlq').records()).toEqual([]);
  });

  test('idle close waits for the idle time on the wall clock', async () => {
    const t = topology('idle')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('g', 'sensor')
      .window('w', tumbling(1000), { emit: 'final', idleClose: '5s' })
      .aggregate('a', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas, wallClockMs: 1_000_000 });
    await driver.input<Reading>('readings').sendAll([r('s', 100), r('s', 200)]);
    await driver.advanceWallClock(4_999);
    expect(await driver.table('t').rows()).toEqual([]);
    await driver.advanceWallClock(1);
    expect(await driver.table<{ n: number }>('t').rows()).toMatchObject([{ sensor: 's', window_start: 0, n: 2 }]);
  });

  /** A 1 s window behind a repartition over 8 source partitions, and two sensors on different partitions. */
  async function twoPartitions(name: string) {
    const t = topology(name)
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('g', 'sensor')
      .window('w', tumbling(1000), { grace: 0 })
      .aggregate('a', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas, partitions: 8 });
    const { partitionForKey } = await import('sluice');
    const a = 'sensor-a';
    const b = ['sensor-b', 'sensor-c', 'sensor-d', 'sensor-e'].find((s) => partitionForKey(Buffer.from(s), 8) !== partitionForKey(Buffer.from(a), 8))!;
    return { driver, a, b };
  }

  test('the task watermark is per partition: a slow partition does not make another one late', async () => {
    const { driver, a, b } = await twoPartitions('per-task');
    // Both in the topics before the topology reads them (a backlog): b is old, but nothing before it in
    // its own source partition is newer, so it is on time, whichever partition is processed first.
    await driver.input<Reading>('readings').sendAll([
      { value: r(a, 50_000).value, key: a },
      { value: r(b, 100).value, key: b },
    ]);
    expect(driver.counters.late).toBe(0);
    expect((await driver.table<{ sensor: string }>('t').rows()).map((row) => row.sensor).sort()).toEqual([a, b].sort());
  });

  test('a record arriving on a partition that was read to its end, older than where the others are, is late', async () => {
    const { driver, a, b } = await twoPartitions('per-task-idle');
    await driver.input<Reading>('readings').send(r(a, 50_000).value, { key: a });
    // b's partition was idle (read to its end) while a's moved to 50 s: windows closed up to there.
    await driver.input<Reading>('readings').send(r(b, 100).value, { key: b });
    expect(driver.counters.late).toBe(1);
    expect((await driver.table<{ sensor: string }>('t').rows()).map((row) => row.sensor)).toEqual([a]);
  });
});

describe('dead letters after a repartition', () => {
  test('a late record keeps its source key (not the group key), and a keyless one stays keyless', async () => {
    const t = topology('late-key')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('g', 'sensor')
      .window('w', tumbling(1000), { grace: 0 })
      .aggregate('a', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas });
    await driver.input<Reading>('readings').sendAll([
      { value: { sensor: 's', value: 1, at: 50_000 }, key: 'device-1' },
      { value: { sensor: 's', value: 1, at: 100 }, key: 'device-2' },
      { value: { sensor: 's', value: 1, at: 200 }, key: null },
    ]);
    const letters = await driver.deadLetters('dlq').records();
    expect(letters.map((l) => [l.reason, l.key?.toString() ?? null])).toEqual([
      ['late', 'device-2'],
      ['late', null],
    ]);
  });
});
