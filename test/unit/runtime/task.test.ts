import { count, plan, Task, topology, tumbling, type InputRecord } from 'sluice';
import { InMemorySchemaRegistry, TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { AvroCodec, RegistryUnavailableError } from '../../../src/serde/index.js';
import { r, readingSchema, readingSchemas, type Reading } from '../../conformance/simple-fixture.js';

const perSensor = (emit: 'update' | 'final' = 'update') =>
  topology('task-test')
    .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
    .deadLetter('readings.dlq')
    .groupBy('by-sensor', 'sensor')
    .window('w', tumbling(1000), { grace: 0, emit })
    .aggregate('stats', { n: count() })
    .toTable('t.counts');

async function encoder(registry: InMemorySchemaRegistry): Promise<AvroCodec<Reading>> {
  const codec = new AvroCodec<Reading>({ registry, subject: 'readings-value', readerSchema: readingSchema });
  await codec.registerWriter();
  return codec;
}

const record = (value: Buffer | null, offset: number, extra: Partial<InputRecord> = {}): InputRecord => ({
  topic: 'readings',
  partition: 0,
  offset: BigInt(offset),
  timestamp: 0,
  key: Buffer.from('k'),
  value,
  headers: {},
  ...extra,
});

describe('Task: the transport-free engine API', () => {
  test('a batch returns its outputs and the next offsets to commit', async () => {
    const registry = new InMemorySchemaRegistry();
    const task = new Task(plan(perSensor()), 0, 0, { registry, resolveSchema: () => readingSchema, partitionCount: () => 1 });
    await task.init();
    const enc = await encoder(registry);
    const result = await task.process([record(enc.encode({ sensor: 'a', value: 1, at: 5 }), 7), record(Buffer.from('x'), 8)], 0);
    // The offset carries the task's event-time progress: the watermark it stamped on its repartition records.
    expect(result.commits).toEqual([{ topic: 'readings', partition: 0, nextOffset: 9n, metadata: '{"v":1,"sinks":{"task-test.by-sensor-repartition":5}}' }]);
    expect(result.outputs.map((o) => [o.topic, o.key?.toString(), o.partition])).toEqual([
      ['readings.dlq', 'k', undefined],
      ['task-test.by-sensor-repartition', 'a', undefined],
    ]);
    expect(result.counters).toEqual({ processed: 2, deadLettered: 1, late: 0, dropped: 0 });
  });

  test('dead letters carry the original key, value and headers plus the error headers, stamped when dead-lettered', async () => {
    const registry = new InMemorySchemaRegistry();
    const task = new Task(plan(perSensor()), 0, 2, { registry, resolveSchema: () => readingSchema, partitionCount: () => 1 });
    await task.init();
    const bad = Buffer.from([1, 2, 3]);
    const { outputs } = await task.process([record(bad, 41, { partition: 2, headers: { trace: Buffer.from('abc') }, timestamp: 99 })], 5_000);
    const [dlq] = outputs;
    expect(dlq?.value).toBe(bad);
    expect(dlq?.key?.toString()).toBe('k');
    expect(dlq?.timestamp, 'an old source timestamp must not expose the DLQ record to time retention').toBe(5_000);
    expect(Object.fromEntries(Object.entries(dlq?.headers ?? {}).map(([k, v]) => [k, v.toString()]))).toEqual({
      trace: 'abc',
      'sluice.source.timestamp': '99',
      'sluice.error.reason': 'bad-magic',
      'sluice.error.step': 'readings',
      'sluice.error.message': 'first byte is 0x01, expected 0x00 (Confluent wire format)',
      'sluice.source.topic': 'readings',
      'sluice.source.partition': '2',
      'sluice.source.offset': '41',
    });
  });

  test('a registry outage rejects the batch (no DLQ, nothing changed); the retry succeeds', async () => {
    const registry = new InMemorySchemaRegistry();
    const task = new Task(plan(perSensor()), 0, 0, { registry, resolveSchema: () => readingSchema, partitionCount: () => 1 });
    await task.init();
    const enc = await encoder(registry);
    registry.setAvailable(false);
    const batch = [record(enc.encode({ sensor: 'a', value: 1, at: 5 }), 0)];
    await expect(task.process(batch, 0)).rejects.toBeInstanceOf(RegistryUnavailableError);
    registry.setAvailable(true);
    const result = await task.process(batch, 0);
    expect(result.outputs.map((o) => o.topic)).toEqual(['task-test.by-sensor-repartition']);
  });
});

describe('engine behaviour on the driver', () => {
  test('emit update coalesces a batch: one table record per key and window per batch', async () => {
    const driver = new TopologyTestDriver(perSensor(), { schemas: readingSchemas });
    await driver.input<Reading>('readings').sendAll([r('a', 1), r('a', 2), r('a', 3), r('b', 4)].map((x) => x));
    await driver.input<Reading>('readings').send(r('a', 5).value, { key: 'a' });
    const history = await driver.table<{ sensor: string; n: number }>('t.counts').history();
    expect(history.map((h) => [h.key['sensor'], h.value?.n])).toEqual([
      ['a', 3],
      ['b', 1],
      ['a', 4],
    ]);
  });

  test('with batches of one record, emit update writes every change', async () => {
    const driver = new TopologyTestDriver(perSensor(), { schemas: readingSchemas, maxBatchSize: 1 });
    await driver.input<Reading>('readings').sendAll([r('a', 1), r('a', 2), r('a', 3)]);
    const history = await driver.table<{ n: number }>('t.counts').history();
    expect(history.map((h) => h.value?.n)).toEqual([1, 2, 3]);
  });

  test('emit final writes nothing until the window closes, then exactly one record', async () => {
    const driver = new TopologyTestDriver(perSensor('final'), { schemas: readingSchemas });
    const input = driver.input<Reading>('readings');
    await input.sendAll([r('a', 1), r('a', 2)]);
    await input.sendAll([r('a', 500)]);
    expect(await driver.table('t.counts').history()).toEqual([]);
    await input.sendAll([r('a', 1000)]);
    await input.sendAll([r('a', 2500)]);
    const history = await driver.table<{ window_start: number; n: number }>('t.counts').history();
    expect(history.map((h) => [h.value?.window_start, h.value?.n])).toEqual([
      [0, 3],
      [1000, 1],
    ]);
  });

  test('a session merge writes a tombstone for the session merged away', async () => {
    const { session } = await import('sluice');
    const t = topology('sess')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('g', 'sensor')
      .window('s', session(1000), { grace: 10_000 })
      .aggregate('a', { n: count() })
      .toTable('t.sessions');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas });
    await driver.input<Reading>('readings').sendAll([r('x', 0), r('x', 1800)]);
    await driver.input<Reading>('readings').sendAll([r('x', 900)]);
    const history = await driver.table<{ window_start: number; window_end: number; n: number }>('t.sessions').history();
    expect(history.map((h) => [h.key['window_start'], h.value === null ? null : [h.value.window_end, h.value.n]])).toEqual([
      [0, [0, 1]],
      [1800, [1800, 1]],
      [1800, null],
      [0, [1800, 3]],
    ]);
  });

  test('restart: new tasks restore open windows from the table topic and carry on', async () => {
    for (const emit of ['update', 'final'] as const) {
      const driver = new TopologyTestDriver(perSensor(emit), { schemas: readingSchemas, partitions: 2 });
      const input = driver.input<Reading>('readings');
      await input.sendAll([r('a', 100), r('b', 150), r('a', 200)]);
      await driver.restart();
      await input.sendAll([r('a', 300), r('b', 400)]);
      await input.sendAll([r('a', 1500), r('b', 1600)]); // closes [0, 1000) on both partitions' tasks
      const rows = await driver.table<{ sensor: string; window_start: number; n: number }>('t.counts').rows();
      const closed = rows.filter((row) => row.window_start === 0).map((row) => [row.sensor, row.n]);
      expect(closed, emit).toEqual([
        ['a', 3],
        ['b', 2],
      ]);
    }
  });

  test('several keys over several partitions: each key is aggregated by exactly one task', async () => {
    const driver = new TopologyTestDriver(perSensor(), { schemas: readingSchemas, partitions: 4 });
    const sensors = Array.from({ length: 12 }, (_, i) => `s${i}`);
    await driver.input<Reading>('readings').sendAll(sensors.flatMap((s, i) => [r(s, i), r(s, 100 + i)]));
    const rows = await driver.table<{ sensor: string; n: number }>('t.counts').rows();
    expect(rows.map((row) => [row.sensor, row.n]).sort()).toEqual(sensors.map((s) => [s, 2]).sort());
    const partitions = new Set((await driver.table('t.counts').history()).map((h) => h.partition));
    expect(partitions.size).toBeGreaterThan(1);
  });
});

describe('Task: event-time progress committed with the offsets', () => {
  const repartition = 'task-test.by-sensor-repartition';
  const stampOf = (o: { headers: Readonly<Record<string, Buffer>> }): string | undefined => o.headers['sluice.watermark']?.toString();
  const asInput = (o: { key: Buffer | null; value: Buffer | null; headers: Readonly<Record<string, Buffer>>; timestamp: number }, offset: number): InputRecord =>
    ({ topic: repartition, partition: 0, offset: BigInt(offset), timestamp: o.timestamp, key: o.key, value: o.value, headers: o.headers });

  test('a restarted upstream task stamps on from the watermark it committed', async () => {
    const registry = new InMemorySchemaRegistry();
    const deps = { registry, resolveSchema: () => readingSchema, partitionCount: () => 1 };
    const enc = await encoder(registry);
    const first = new Task(plan(perSensor()), 0, 0, deps);
    await first.init();
    const before = await first.process([record(enc.encode({ sensor: 'a', value: 1, at: 600_000 }), 0)], 0);
    const metadata = before.commits[0]?.metadata;
    expect(metadata).toBeDefined();

    const restarted = new Task(plan(perSensor()), 0, 0, deps);
    await restarted.init();
    await restarted.restore([], 0, metadata);
    const after = await restarted.process([record(enc.encode({ sensor: 'b', value: 1, at: 300_000 }), 1)], 0);
    expect(after.outputs.filter((o) => o.topic === repartition).map(stampOf)).toEqual(['600000']);

    const fresh = new Task(plan(perSensor()), 0, 0, deps);
    await fresh.init();
    await fresh.restore([], 0, undefined);
    const unrestored = await fresh.process([record(enc.encode({ sensor: 'b', value: 1, at: 300_000 }), 1)], 0);
    expect(unrestored.outputs.filter((o) => o.topic === repartition).map(stampOf), 'the control: without progress it would stamp its own time').toEqual(['300000']);
  });

  test('a restarted downstream task keeps what it heard of its upstream tasks: windows they closed stay closed', async () => {
    const registry = new InMemorySchemaRegistry();
    // Two upstream tasks (the source has 2 partitions) write to one repartition partition.
    const deps = { registry, resolveSchema: (ref: unknown) => (typeof ref === 'string' ? readingSchema : (ref as typeof readingSchema)), partitionCount: (topic: string) => (topic === 'readings' ? 2 : 1) };
    const enc = await encoder(registry);
    const upstream = [0, 1].map((p) => new Task(plan(perSensor()), 0, p, deps));
    for (const u of upstream) await u.init();
    const sent = [
      ...(await upstream[0]!.process([record(enc.encode({ sensor: 'a', value: 1, at: 5_000 }), 0)], 0)).outputs,
      ...upstream[0]!.markers(0, false),
      ...(await upstream[1]!.process([record(enc.encode({ sensor: 'a', value: 1, at: 9_000 }), 0, { partition: 1 })], 0)).outputs,
      ...upstream[1]!.markers(0, false),
    ].filter((o) => o.topic === repartition);
    const downstream = new Task(plan(perSensor()), 1, 0, deps);
    await downstream.init();
    const heard = await downstream.process(sent.map(asInput), 0);
    expect(heard.counters.late).toBe(0);

    const restarted = new Task(plan(perSensor()), 1, 0, deps);
    await restarted.init();
    await restarted.restore([], 0, heard.commits[0]?.metadata);
    // Stamped 1,000 by an upstream task that lost its progress: the window [1000, 2000) closed at 5,000.
    const stale = { topic: repartition, partition: 0, offset: 99n, timestamp: 1_500, key: Buffer.from('a'), value: enc.encode({ sensor: 'a', value: 1, at: 1_500 }), headers: { 'sluice.origin': Buffer.from('0.0'), 'sluice.watermark': Buffer.from('1500'), 'sluice.event-time': Buffer.from('1500') } };
    expect((await restarted.process([stale], 0)).counters.late).toBe(1);
  });
});
