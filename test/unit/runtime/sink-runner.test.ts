import { avg, count, plan, postgres, topology, tumbling, type InputRecord, type OutputRecord } from 'sluice';
import { InMemorySchemaRegistry } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import type { TableSinkNode } from '../../../src/plan/plan-node.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { SinkFatalError, SinkRunner } from '../../../src/runtime/sink/sink-runner.js';
import { sinkSource } from '../../../src/runtime/sink/sink-source.js';
import type { CheckpointWriter, PartitionChange, StreamConsumer, StreamTransport, TopicPartitionRef } from '../../../src/runtime/stream-transport.js';
import { AvroCodec } from '../../../src/serde/index.js';
import type { PartitionOffset, Sink, SinkBatch, TopicPartition, WriteOptions, WriteOutcome } from '../../../src/sinks/index.js';

const TABLE = 'rt.stats';
const statsPlan = plan(
  topology('rt')
    .source<{ route: string; speed: number; at: number }>('rt.in', { schema: { type: 'record', name: 'In', fields: [{ name: 'route', type: 'string' }, { name: 'speed', type: 'double' }, { name: 'at', type: 'long' }] }, eventTime: 'at' })
    .groupBy('by-route', 'route')
    .window('w', tumbling('1m'), { late: 'drop' })
    .aggregate('agg', { events: count(), avg_speed: avg((e) => e.speed) })
    .toTable(TABLE)
    .sink('stats-pg', postgres({ table: 'stats' })),
);
const noSchemas = () => {
  throw new Error('table sinks need no schema resolution');
};

describe('sinkSource', () => {
  test('names the group and DLQ after the application and the sink, and maps the value fields without accumulator state', () => {
    const source = sinkSource(statsPlan, 'stats-pg', noSchemas);
    expect(source).toMatchObject({ kind: 'table', groupId: 'rt.stats-pg', deadLetterTopic: 'rt.stats-pg.dlq', sink: { topic: TABLE } });
    expect(source.fields).toEqual(['route', 'window_start', 'window_end', 'events', 'avg_speed']);
    expect(() => sinkSource(statsPlan, 'nope', noSchemas)).toThrow(/has no sink named "nope" \(sinks: stats-pg\)/);
  });

  test('a sink on a plain stream reads its values with the stream\'s schema and its keys as text', () => {
    const schema = { type: 'record', name: 'E', fields: [{ name: 'event_id', type: 'string' }, { name: 'pos', type: { type: 'record', name: 'P', fields: [{ name: 'lat', type: 'double' }] } }] } as const;
    const p = plan(topology('raw').source('raw.in', { schema: 'e', eventTime: 'record-timestamp' as never }).to('raw.out').sink('raw-pg', postgres({ table: 'raw_events', mode: 'insert-ignore', key: ['event_id'] })));
    const source = sinkSource(p, 'raw-pg', () => schema);
    expect(source).toMatchObject({ kind: 'stream', keySchema: undefined, groupId: 'raw.raw-pg', fields: ['event_id', 'pos.lat'] });
  });
});

/** A scripted consumer: each poll runs the next step (which may announce a rebalance) and returns its records. */
class FakeConsumer implements StreamConsumer {
  readonly seeks: string[] = [];
  readonly paused: string[] = [];
  readonly resumed: string[] = [];
  owned: TopicPartitionRef[] = [];
  closed = false;
  constructor(private readonly steps: (() => InputRecord[])[], private readonly stop: AbortController) {}
  #pausedNow = false;
  async poll(): Promise<InputRecord[]> {
    // The runner polls a paused consumer while it waits to retry: nothing comes back then.
    if (this.#pausedNow) return [];
    const step = this.steps.shift();
    if (!step) {
      this.stop.abort();
      return [];
    }
    return step();
  }
  pause(ps: readonly TopicPartitionRef[]): void {
    this.#pausedNow = true;
    this.paused.push(...ps.map((p) => `${p.partition}`));
  }
  resume(ps: readonly TopicPartitionRef[]): void {
    this.#pausedNow = false;
    this.resumed.push(...ps.map((p) => `${p.partition}`));
  }
  lag(): { topic: string; partition: number; records: number }[] {
    return [];
  }
  async seek(p: TopicPartitionRef, next: bigint | undefined): Promise<void> {
    this.seeks.push(`${p.partition}@${next ?? 'beginning'}`);
  }
  async committed(): Promise<ReadonlyMap<string, bigint | undefined>> {
    return new Map();
  }
  assignment(): TopicPartitionRef[] {
    return this.owned;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A sink that keeps positions like the real one and refuses records whose value has `events === 99`. */
class FakeSink implements Sink {
  readonly name = 'stats-pg';
  readonly batches: string[][] = [];
  readonly stored = new Map<number, bigint>([[0, 2n]]);
  failures: unknown[] = [];
  checkError: unknown;
  async open(assignment: readonly TopicPartition[]): Promise<readonly PartitionOffset[]> {
    if (this.checkError) throw this.checkError;
    return assignment.flatMap((p) => (this.stored.has(p.partition) ? [{ ...p, nextOffset: this.stored.get(p.partition)! }] : []));
  }
  async writeBatch(batch: SinkBatch, options: WriteOptions = {}): Promise<WriteOutcome> {
    if (this.failures.length > 0) throw this.failures.shift();
    const rejected = batch.records.filter((r) => (r.value as { events: number }).events === 99).map((record) => ({ record, code: '23514', message: 'check constraint' }));
    if (rejected.length > 0) await options.deadLetter?.(rejected);
    this.batches.push(batch.records.map((r) => `${r.partition}@${r.offset}:${(r.key as { route: string }).route}`));
    const nextOffsets = [...new Set(batch.records.map((r) => r.partition))].map((partition) => {
      const next = Math.max(...batch.records.filter((r) => r.partition === partition).map((r) => Number(r.offset))) + 1;
      this.stored.set(partition, BigInt(next));
      return { topic: TABLE, partition, nextOffset: BigInt(next) };
    });
    return { written: batch.records.length - rejected.length, deleted: 0, skipped: 0, rejected, nextOffsets };
  }
  async onPaused(): Promise<void> {}
  async close(): Promise<void> {}
}

async function harness(steps: (ctx: { record: (p: number, o: number, route: string, events: number) => InputRecord; assign: (ps: number[]) => void }) => (() => InputRecord[])[]) {
  const registry = new InMemorySchemaRegistry();
  const table = statsPlan.subTopologies[1]!.sources[0]!.next[0]!.next[0]!.next[0] as TableSinkNode;
  const keys = new AvroCodec<unknown>({ registry, subject: `${TABLE}-key`, readerSchema: table.keySchema });
  const values = new AvroCodec<unknown>({ registry, subject: `${TABLE}-value`, readerSchema: table.valueSchema });
  await keys.registerWriter();
  await values.registerWriter();
  const stop = new AbortController();
  let onChange: (change: PartitionChange) => void = () => {};
  const record = (partition: number, offset: number, route: string, events: number): InputRecord => ({
    topic: TABLE, partition, offset: BigInt(offset), timestamp: 0, headers: {},
    key: keys.encode({ route, window_start: 0 }),
    value: values.encode({ route, window_start: 0, window_end: 60_000, events, avg_speed: 1, avg_speed__sum: 1, avg_speed__count: events }),
  });
  const consumer: FakeConsumer = new FakeConsumer([], stop);
  const assign = (ps: number[]) => {
    const partitions = ps.map((partition) => ({ topic: TABLE, partition }));
    consumer.owned = partitions;
    onChange({ kind: 'assigned', partitions, done: () => {} });
  };
  (consumer as unknown as { steps: (() => InputRecord[])[] }).steps.push(...steps({ record, assign }));
  const produced: OutputRecord[] = [];
  const commits: string[] = [];
  const writer: CheckpointWriter = {
    begin: async () => {},
    produce: async (records) => void produced.push(...records),
    commit: async (offsets) => void commits.push(...offsets.map((o) => `${o.partition}@${o.nextOffset}`)),
    abort: async () => {},
    close: async () => {},
  };
  const transport = {
    ensureTopics: async () => {},
    partitionCounts: async () => new Map(),
    connectConsumer: async (_group: string, _topics: readonly string[], listener: (change: PartitionChange) => void) => ((onChange = listener), consumer),
    connectWriter: async () => writer,
    readPartition: async () => [],
    classify: () => 'retry' as const,
  } satisfies StreamTransport;
  const sink = new FakeSink();
  const logs: string[] = [];
  const log: RuntimeLog = (level, message) => void logs.push(`${level} ${message}`);
  const classifyError = (e: unknown) => ((e as { code?: string }).code === '57P01' ? 'retry' as const : 'fatal' as const);
  const runner = new SinkRunner({ source: sinkSource(statsPlan, 'stats-pg', noSchemas), sink, transport, registry, log, classifyError, retry: { initialDelayMs: 1, maxDelayMs: 2 } });
  return { runner, sink, consumer, produced, commits, logs, stop };
}

describe('SinkRunner', () => {
  test('seeks to the stored positions, drops what was polled before the seek, dead-letters refused and undecodable records, commits positions to Kafka after the write', async () => {
    const h = await harness(({ record, assign }) => [
      () => {
        assign([0, 1]);
        // Fetched from Kafka's own position before the seek: must not be written.
        return [record(0, 0, 'stale', 1), record(0, 1, 'stale', 2)];
      },
      () => [record(0, 2, 'a', 3), record(0, 3, 'b', 99), { ...record(1, 0, 'c', 1), value: Buffer.from('not avro') }, record(1, 1, 'd', 1)],
    ]);
    await h.runner.start();
    await h.runner.run(h.stop.signal);
    expect(h.consumer.seeks).toEqual(['0@2', '1@beginning']);
    expect(h.sink.batches).toEqual([['0@2:a', '0@3:b', '1@1:d']]);
    const dlq = h.produced.map((r) => ({ topic: r.topic, reason: r.headers['sluice.error.reason']?.toString(), code: r.headers['sluice.error.code']?.toString(), offset: r.headers['sluice.source.offset']?.toString() }));
    expect(dlq).toEqual([
      { topic: 'rt.stats-pg.dlq', reason: 'bad-magic', code: undefined, offset: '0' },
      { topic: 'rt.stats-pg.dlq', reason: 'rejected', code: '23514', offset: '3' },
    ]);
    expect(h.commits).toEqual(['0@2', '0@4', '1@2']);
    expect(h.runner.stats).toMatchObject({ batches: 1, written: 2, deadLettered: 2, retries: 0 });
    expect(h.consumer.closed).toBe(true);
  });

  test('a retryable fault pauses the partitions and retries the same batch until it lands, with nothing dead-lettered', async () => {
    const h = await harness(({ record, assign }) => [() => (assign([0]), []), () => [record(0, 2, 'a', 1), record(0, 3, 'a', 2)]]);
    h.sink.failures = [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), Object.assign(new Error('again'), { code: '57P01' })];
    await h.runner.start();
    await h.runner.run(h.stop.signal);
    expect(h.sink.batches).toEqual([['0@2:a', '0@3:a']]);
    expect(h.runner.stats).toMatchObject({ retries: 2, deadLettered: 0 });
    expect(h.produced).toEqual([]);
    expect(h.consumer.paused).toEqual(['0']);
    expect(h.consumer.resumed).toEqual(['0']);
    expect(h.logs).toContain('warn sink stats-pg: writing to stats-pg failed; partitions paused, retrying');
  });

  test('a fatal fault stops the runner with the sink\'s message; a table mismatch stops it at start-up', async () => {
    const h = await harness(({ record, assign }) => [() => (assign([0]), []), () => [record(0, 2, 'a', 1)]]);
    h.sink.failures = [Object.assign(new Error('column "avg_speed" does not exist'), { code: '42703' })];
    await h.runner.start();
    await expect(h.runner.run(h.stop.signal)).rejects.toThrow(SinkFatalError);
    expect(h.consumer.closed).toBe(true);

    const m = await harness(() => []);
    m.sink.checkError = new Error('sink stats-pg: table public.stats has no column avg_speed; add a migration');
    await expect(m.runner.start()).rejects.toThrow('sink stats-pg: table public.stats has no column avg_speed; add a migration');
  });
});
