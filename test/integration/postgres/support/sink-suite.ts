import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sink, SinkRecord } from '../../../../src/sinks/sink.js';
import { createPostgresSink, type PostgresSinkConfig } from '../../../../src/sinks/postgres/postgres-sink.js';
import { postgres, type PostgresSinkOptions } from '../../../../src/sinks/postgres/postgres-sink-spec.js';
import type { TestDatabase } from './test-database.js';

type RouteKey = { routeId: string; window: { start: number; end: number } };
type RouteStats = { events: number; avgSpeed: number };

const MINUTE = 60_000;

/**
 * The sink tests that need no server restart, run against any database:
 * the real server and the embedded PGlite.
 */
export function describeSinkSuite(label: string, open: () => Promise<TestDatabase>): void {
  describe(`PostgreSQL sink on ${label}`, () => {
    let t: TestDatabase;
    let groups = 0;
    beforeAll(async () => {
      t = await open();
      await sql`
        create table route_minute (
          route_id text not null, window_start timestamptz not null, window_end timestamptz not null,
          events bigint not null, avg_speed numeric(6,2) check (avg_speed <= 150),
          primary key (route_id, window_start))`.execute(t.db);
      await sql`create table raw_readings (event_id uuid primary key, route_id text not null, speed numeric not null)`.execute(t.db);
      await sql`create table event_log (route_id text not null, speed numeric not null)`.execute(t.db);
      await sql`create table payments (id uuid primary key, paid_at timestamptz not null, amount numeric(10,2) not null, meta jsonb, tags text[])`.execute(t.db);
    });
    afterAll(async () => t?.close());

    const sinkFor = (options: PostgresSinkOptions, extra: Partial<PostgresSinkConfig> = {}): Sink => {
      groups++;
      return createPostgresSink({ name: 'test-sink', consumerGroup: `${label}-g${groups}`, db: t.db, spec: postgres(options), ...extra });
    };
    const routeSink = (extra: Partial<PostgresSinkConfig> = {}): Sink =>
      sinkFor({ table: 'route_minute', key: ['route_id', 'window_start'] }, extra);
    const stat = (offset: number, routeId: string, minute: number, events: number | null, avgSpeed = 30, partition = 0): SinkRecord<RouteKey, RouteStats> => ({
      topic: 'bus.route-stats.1m', partition, offset: BigInt(offset),
      key: { routeId, window: { start: minute * MINUTE, end: (minute + 1) * MINUTE } },
      value: events === null ? null : { events, avgSpeed },
    });
    const routeRows = async () =>
      (await sql<{ route_id: string; window_start: Date; events: string | number; avg_speed: string }>`
        select route_id, window_start, events::text as events, avg_speed::text as avg_speed from route_minute order by route_id, window_start`.execute(t.db)).rows;
    const offsets = async () =>
      (await sql<{ consumer_group: string; partition: number; next_offset: string }>`
        select consumer_group, partition, next_offset::text as next_offset from sluice_offsets order by consumer_group, partition`.execute(t.db)).rows;
    const clear = async () => sql`truncate route_minute, raw_readings, event_log, sluice_offsets`.execute(t.db);

    it('upserts a batch with the last value per key, windows as timestamptz, offsets stored', async () => {
      await clear();
      const sink = routeSink();
      expect(await sink.open([{ topic: 'bus.route-stats.1m', partition: 0 }])).toEqual([]);
      const outcome = await sink.writeBatch({
        records: [stat(0, 'R1', 0, 1, 10), stat(1, 'R2', 0, 1, 20), stat(2, 'R1', 0, 2, 15.5), stat(3, 'R1', 1, 1, 40)],
      });
      expect(outcome).toEqual({
        written: 3, deleted: 0, skipped: 1, rejected: [],
        nextOffsets: [{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 4n }],
      });
      expect(await routeRows()).toEqual([
        { route_id: 'R1', window_start: new Date(0), events: '2', avg_speed: '15.50' },
        { route_id: 'R1', window_start: new Date(MINUTE), events: '1', avg_speed: '40.00' },
        { route_id: 'R2', window_start: new Date(0), events: '1', avg_speed: '20.00' },
      ]);
      await sink.writeBatch({ records: [stat(4, 'R1', 0, 3, 16)] });
      expect((await routeRows())[0]).toMatchObject({ events: '3', avg_speed: '16.00' });
      expect(await sink.open([{ topic: 'bus.route-stats.1m', partition: 0 }, { topic: 'bus.route-stats.1m', partition: 1 }])).toEqual([
        { topic: 'bus.route-stats.1m', partition: 0, nextOffset: 5n },
      ]);
    });

    it('deletes on tombstones', async () => {
      await clear();
      const sink = routeSink();
      await sink.open([]);
      await sink.writeBatch({ records: [stat(0, 'R1', 0, 1), stat(1, 'R2', 0, 1), stat(2, 'R3', 0, 1)] });
      const outcome = await sink.writeBatch({ records: [stat(3, 'R1', 0, null), stat(4, 'R2', 0, 5), stat(5, 'R2', 0, null), stat(6, 'R9', 0, null)] });
      expect(outcome).toMatchObject({ deleted: 2, written: 0 });
      expect((await routeRows()).map((r) => r.route_id)).toEqual(['R3']);
    });

    it('skips a re-delivered batch: exactly-once even if the consumer did not seek', async () => {
      await clear();
      const sink = routeSink();
      await sink.open([]);
      const batch = { records: [stat(0, 'R1', 0, 1), stat(1, 'R1', 0, 2)] };
      await sink.writeBatch(batch);
      await sink.writeBatch({ records: [stat(2, 'R1', 0, 3)] });
      const again = await sink.writeBatch(batch);
      expect(again).toMatchObject({ written: 0, skipped: 2, nextOffsets: [] });
      expect((await routeRows())[0]!.events).toBe('3');
    });

    it('commits neither rows nor offsets when the transaction fails before commit', async () => {
      await clear();
      const crash = routeSink({ beforeCommit: () => { throw new Error('simulated crash before commit'); } });
      await crash.open([]);
      await expect(crash.writeBatch({ records: [stat(0, 'R1', 0, 1), stat(1, 'R2', 0, 1)] })).rejects.toThrow('simulated crash');
      expect(await routeRows()).toEqual([]);
      expect(await offsets()).toEqual([]);
    });

    it('insert-ignore is idempotent and keeps the first write', async () => {
      await clear();
      const sink = sinkFor({ table: 'raw_readings', key: ['event_id'], mode: 'insert-ignore' });
      await sink.open([]);
      const id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
      const ev = (offset: number, speed: number, eventId = id): SinkRecord => ({
        topic: 'bus.telemetry', partition: 0, offset: BigInt(offset), key: eventId, value: { eventId, routeId: 'R1', speed },
      });
      const first = await sink.writeBatch({ records: [ev(0, 10), ev(1, 99)] });
      expect(first).toMatchObject({ written: 1, skipped: 1 });
      // The same event again at a later offset (a producer retry): ignored.
      const second = await sink.writeBatch({ records: [ev(2, 55), ev(3, 12, 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12')] });
      expect(second).toMatchObject({ written: 1, skipped: 1 });
      const rows = (await sql<{ event_id: string; speed: string }>`select event_id::text, speed::text from raw_readings order by event_id`.execute(t.db)).rows;
      expect(rows).toEqual([{ event_id: id, speed: '10' }, { event_id: 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', speed: '12' }]);
    });

    it('append writes every record once, even when a batch is re-delivered', async () => {
      await clear();
      const sink = sinkFor({ table: 'event_log', mode: 'append' });
      await sink.open([]);
      const rec = (offset: number): SinkRecord => ({ topic: 'bus.telemetry', partition: 0, offset: BigInt(offset), key: null, value: { routeId: 'R1', speed: offset } });
      await sink.writeBatch({ records: [rec(0), rec(1), rec(2)] });
      await sink.writeBatch({ records: [rec(1), rec(2), rec(3)] });
      const { rows } = await sql<{ n: string }>`select count(*)::text as n from event_log`.execute(t.db);
      expect(rows[0]!.n).toBe('4');
    });

    it('serialises two writers of one partition: a zombie re-writing the same batch adds nothing', async () => {
      await clear();
      const group = `${label}-zombie`;
      const spec = postgres({ table: 'event_log', mode: 'append' });
      const a = createPostgresSink({ name: 'a', consumerGroup: group, db: t.db, spec });
      const b = createPostgresSink({ name: 'b', consumerGroup: group, db: t.db, spec });
      await Promise.all([a.open([]), b.open([])]);
      const records = Array.from({ length: 50 }, (_, i): SinkRecord => ({
        topic: 'bus.telemetry', partition: 0, offset: BigInt(i), key: null, value: { routeId: 'R1', speed: i },
      }));
      const [x, y] = await Promise.all([a.writeBatch({ records }), b.writeBatch({ records })]);
      expect(x.written + y.written).toBe(50);
      const { rows } = await sql<{ n: string }>`select count(*)::text as n from event_log`.execute(t.db);
      expect(rows[0]!.n).toBe('50');
    });

    it('sends rows the database rejects to the DLQ outcome and commits the rest', async () => {
      await clear();
      const sink = routeSink();
      await sink.open([]);
      const records = Array.from({ length: 20 }, (_, i) => stat(i, `R${i}`, 0, 1, i === 7 || i === 13 ? 500 : 30));
      const outcome = await sink.writeBatch({ records });
      expect(outcome.written).toBe(18);
      expect(outcome.rejected.map((r) => [r.record.offset, r.code])).toEqual([[7n, '23514'], [13n, '23514']]);
      expect(outcome.rejected[0]!.message).toMatch(/check constraint/);
      expect(outcome.nextOffsets).toEqual([{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 20n }]);
      expect(await routeRows()).toHaveLength(18);
      expect((await offsets()).map((o) => o.next_offset)).toEqual(['20']);
    });

    it('hands refused records to deadLetter before commit; a failed DLQ write commits nothing', async () => {
      await clear();
      const sink = routeSink();
      await sink.open([]);
      const records = [stat(0, 'R1', 0, 1, 30), stat(1, 'R2', 0, 1, 999)];
      await expect(sink.writeBatch({ records }, { deadLetter: async () => { throw new Error('DLQ broker down'); } })).rejects.toThrow('DLQ broker down');
      expect(await routeRows()).toEqual([]);
      expect(await offsets()).toEqual([]);
      const seen: bigint[] = [];
      const outcome = await sink.writeBatch({ records }, {
        deadLetter: async (rejected) => {
          seen.push(...rejected.map((r) => r.record.offset));
        },
      });
      expect(seen).toEqual([1n]);
      expect(outcome.rejected.map((r) => r.record.offset)).toEqual([1n]);
      expect((await routeRows()).map((r) => r.route_id)).toEqual(['R1']);
      expect((await offsets()).map((o) => o.next_offset)).toEqual(['2']);
    });

    it('rejects a tombstone or record without key values before touching the database', async () => {
      await clear();
      const sink = routeSink();
      await sink.open([]);
      const bad: SinkRecord = { topic: 'bus.route-stats.1m', partition: 0, offset: 0n, key: { other: 1 }, value: null };
      const outcome = await sink.writeBatch({ records: [bad, stat(1, 'R1', 0, 1)] });
      expect(outcome.rejected).toEqual([expect.objectContaining({ message: 'tombstone has no value for key column route_id' })]);
      expect(outcome.written).toBe(1);
    });

    it('writes a batch in parallel transactions by partition: one failing leaves the other committed, and the retried batch lands each row once, every refused row in the DLQ', async () => {
      await clear();
      let failures = 1;
      const sink = routeSink({
        parallelTransactions: 2,
        beforeCommit: () => {
          if (failures-- > 0) throw new Error('simulated crash of one transaction');
        },
      });
      const tps = [0, 1].map((partition) => ({ topic: 'bus.route-stats.1m', partition }));
      await sink.open(tps);
      const records = [
        stat(0, 'R1', 0, 1, 30, 0), stat(1, 'R1', 0, 2, 31, 0), stat(2, 'R3', 0, 1, 33, 0), stat(3, 'R5', 0, 1, 500, 0),
        stat(0, 'R2', 0, 1, 32, 1), stat(1, 'R4', 0, 5, 34, 1), stat(2, 'R6', 0, 1, 600, 1),
      ];
      const deadLettered = new Set<string>();
      const deadLetter = async (rejected: readonly { record: SinkRecord }[]) => {
        for (const r of rejected) deadLettered.add(`${r.record.partition}@${r.record.offset}`);
      };
      await expect(sink.writeBatch({ records }, { deadLetter })).rejects.toThrow('simulated crash of one transaction');
      // Exactly one of the two transactions committed: its partition's rows together with its position.
      const committed = (await offsets()).map((o) => o.partition);
      expect(committed).toHaveLength(1);
      expect((await routeRows()).map((r) => r.route_id)).toEqual(committed[0] === 0 ? ['R1', 'R3'] : ['R2', 'R4']);

      const retried = await sink.writeBatch({ records }, { deadLetter });
      // Whichever committed first: its records are below its stored position, the other's are written.
      expect(retried.written).toBe(2);
      expect((await routeRows()).map((r) => [r.route_id, r.events])).toEqual([['R1', '2'], ['R2', '1'], ['R3', '1'], ['R4', '5']]);
      expect((await offsets()).map((o) => [o.partition, o.next_offset])).toEqual([[0, '4'], [1, '3']]);
      expect([...deadLettered].sort()).toEqual(['0@3', '1@2']);
    });

    it('writes one transaction per batch without a dead-letter callback, and refuses a parallelTransactions that is not a whole number', async () => {
      await clear();
      let commits = 0;
      const sink = routeSink({ parallelTransactions: 2, beforeCommit: () => void commits++ });
      await sink.open([]);
      const outcome = await sink.writeBatch({ records: [stat(0, 'R1', 0, 1, 30, 0), stat(0, 'R2', 0, 1, 500, 1)] });
      expect(commits).toBe(1);
      expect(outcome.rejected.map((r) => r.record.partition)).toEqual([1]);
      expect(() => routeSink({ parallelTransactions: 1.5 })).toThrow(/parallelTransactions must be a whole number of at least 1, got 1.5/);
      expect(() => routeSink({ parallelTransactions: 0 })).toThrow(RangeError);
    });

    it('writes several partitions in one batch', async () => {
      await clear();
      const sink = routeSink();
      const tps = [0, 1, 2].map((partition) => ({ topic: 'bus.route-stats.1m', partition }));
      await sink.open(tps);
      await sink.writeBatch({ records: [stat(5, 'R1', 0, 1, 30, 0), stat(9, 'R2', 0, 1, 30, 2), stat(6, 'R3', 0, 1, 30, 0)] });
      expect(await sink.open(tps)).toEqual([
        { topic: 'bus.route-stats.1m', partition: 0, nextOffset: 7n },
        { topic: 'bus.route-stats.1m', partition: 2, nextOffset: 10n },
      ]);
    });

    it('maps Avro logical types: uuid bytes, timestamp-millis, decimal bytes, records to jsonb, arrays', async () => {
      const sink = sinkFor({
        table: 'payments', key: ['id'],
        columns: {
          id: 'key', paid_at: { from: 'value.paidAt', type: 'timestamptz' },
          amount: { from: 'value.amount', type: 'numeric', scale: 2 }, meta: 'value.meta', tags: 'value.tags',
        },
      });
      await sink.open([]);
      const id = Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex');
      const outcome = await sink.writeBatch({
        records: [{ topic: 'payments', partition: 0, offset: 0n, key: id, value: { paidAt: 1_700_000_000_123, amount: Buffer.from([0x04, 0xd2]), meta: { via: 'card', n: 2n }, tags: ['a', 'b,c'] } }],
      });
      expect(outcome).toMatchObject({ written: 1, rejected: [] });
      const { rows } = await sql<{ id: string; paid_at: Date; amount: string; meta: unknown; tags: string }>`
        select id::text, paid_at, amount::text, meta, array_to_string(tags, '|') as tags from payments`.execute(t.db);
      expect(rows).toEqual([{ id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', paid_at: new Date(1_700_000_000_123), amount: '12.34', meta: { via: 'card', n: '2' }, tags: 'a|b,c' }]);
    });

    it('upserts on the primary key when the spec names no key', async () => {
      await clear();
      const sink = sinkFor({ table: 'route_minute' });
      await sink.open([]);
      await sink.writeBatch({ records: [stat(0, 'R1', 0, 1), stat(1, 'R1', 0, 2), stat(2, 'R1', 0, null)] });
      expect(await routeRows()).toEqual([]);
      await sink.writeBatch({ records: [stat(3, 'R1', 0, 7)] });
      expect((await routeRows()).map((r) => r.events)).toEqual(['7']);
    });

    it('binds with multi-row VALUES as well', async () => {
      await clear();
      const sink = routeSink({ bindStyle: 'values' });
      await sink.open([]);
      await sink.writeBatch({ records: [stat(0, 'R1', 0, 1), stat(1, 'R1', 0, 4), stat(2, 'R2', 0, 1)] });
      expect((await routeRows()).map((r) => r.events)).toEqual(['4', '1']);
    });
  });
}
