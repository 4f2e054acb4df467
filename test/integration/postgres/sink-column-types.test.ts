import { sql } from 'kysely';
import { count, plan, postgres, sum, topology, tumbling, type TopologyPlan } from 'sluice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sinkSource } from '../../../src/runtime/sink/sink-source.js';
import type { AvroSchema } from '../../../src/serde/index.js';
import { createPostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import type { PostgresSinkSpec } from '../../../src/sinks/postgres/postgres-sink-spec.js';
import { SinkTableMismatchError } from '../../../src/sinks/postgres/table-plan.js';
import { openServerDatabase, type TestDatabase } from './support/test-database.js';

// Issue 18: the start-up check compares each column's type in the real server's catalog with the
// Avro type of the field it is written from. The verdicts below are the rules, written
// out here as a table — not derived from the code under test.

interface Reading {
  route_id: string;
  speed: number;
  passengers: number;
  at: number;
}
const readingSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'test.coltypes',
  fields: [
    { name: 'route_id', type: 'string' },
    { name: 'speed', type: 'double' },
    { name: 'passengers', type: 'int' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/** An aggregate whose `total` is a double sum, or a long one. */
const stats = (table: string, totalType: 'double' | 'long'): TopologyPlan =>
  plan(
    topology('col-types')
      .source<Reading>('readings', { schema: readingSchema, eventTime: 'at' })
      .deadLetter('dlq')
      .groupBy('by-route', 'route_id')
      .window('minute', tumbling('1m'))
      .aggregate('stats', { events: count(), total: sum((e) => e.passengers, { type: totalType }) })
      .toTable('stats')
      .sink('stats-pg', postgres({ table, key: ['route_id', 'window_start'] })),
  );

describe('the sink start-up check compares column types with Avro types (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openServerDatabase('coltypes');
    await sql`
      create table stats_bigint (route_id text, window_start timestamptz, window_end timestamptz, events bigint, total bigint, primary key (route_id, window_start));
      create table stats_double (route_id text, window_start timestamptz, window_end timestamptz, events bigint, total double precision, primary key (route_id, window_start));
      create table stats_per_route (route_id text primary key, window_start timestamptz, window_end timestamptz, events bigint, total double precision);
      create table matrix (
        c_int2 smallint, c_int4 integer, c_int8 bigint, c_numeric numeric(20, 4), c_float4 real, c_float8 double precision,
        c_bool boolean, c_text text, c_varchar varchar(40), c_uuid uuid, c_timestamptz timestamptz, c_timestamp timestamp,
        c_jsonb jsonb, c_bytea bytea, c_text_array text[]
      )`.execute(t.db);
  });
  afterAll(async () => t?.close());

  /** Opens the sink as `sluice run` wires it: schemas from the plan's sink source. */
  const openSink = (p: TopologyPlan) => {
    const source = sinkSource(p, 'stats-pg', (ref) => ref as AvroSchema);
    return createPostgresSink({
      name: 'stats-pg', consumerGroup: 'col-types.stats-pg', db: t.db, topology: p.topology,
      spec: source.sink.spec as PostgresSinkSpec, fields: source.fields, schemas: { key: source.keySchema, value: source.valueSchema },
    });
  };

  it('refuses a bigint column for a double sum, naming topology, sink, column, both types and the fix', async () => {
    const error = await openSink(stats('stats_bigint', 'double')).open([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkTableMismatchError);
    const message = (error as Error).message;
    expect(message).toContain(`topology "col-types": sink stats-pg: column ${t.schema}.stats_bigint.total is bigint, but field total is double: a fraction would be truncated or refused.`);
    expect(message).toContain(`Fix: alter table ${t.schema}.stats_bigint alter column total type double precision`);
    expect(message).toContain(`sum(f, { type: 'long' })`);
  });

  // Seen from outside (issue 18 review): a windowed table sunk into a table keyed by the group key alone
  // kept one row per route, each window overwriting the last, with nothing said.
  it("refuses a primary key that leaves out part of the table's key (window_start), naming both and the fix", async () => {
    const byRoute = (key: string[]) =>
      plan(
        topology('col-types')
          .source<Reading>('readings', { schema: readingSchema, eventTime: 'at' })
          .deadLetter('dlq')
          .groupBy('by-route', 'route_id')
          .window('minute', tumbling('1m'))
          .aggregate('stats', { events: count(), total: sum((e) => e.passengers) })
          .toTable('stats')
          .sink('stats-pg', postgres(key.length === 0 ? { table: 'stats_per_route' } : { table: 'stats_per_route', key })),
      );
    const error = await openSink(byRoute([])).open([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkTableMismatchError);
    expect((error as Error).message).toContain(
      `the sink's key (route_id: the primary key of ${t.schema}.stats_per_route) leaves out window_start of the table topic's key (route_id, window_start)`,
    );
    expect((error as Error).message).toContain("key: ['route_id', 'window_start']");
  });

  it('accepts the table that fits each type, and the row lands as written', async () => {
    await expect(openSink(stats('stats_double', 'double')).open([])).resolves.toEqual([]);
    await expect(openSink(stats('stats_bigint', 'long')).open([])).resolves.toEqual([]);
    // A long sum is refused by a double column? No: a long fits double precision (JavaScript numbers are doubles).
    await expect(openSink(stats('stats_double', 'long')).open([])).resolves.toEqual([]);

    const sink = openSink(stats('stats_double', 'double'));
    await sink.open([{ topic: 'stats', partition: 0 }]);
    const key = { route_id: 'R1', window_start: 60_000 };
    await sink.writeBatch({ records: [{ topic: 'stats', partition: 0, offset: 0n, key, value: { ...key, window_end: 120_000, events: 2, total: 7.5 } }] });
    const { rows } = await sql<{ total: number; events: string }>`select total, events from stats_double`.execute(t.db);
    expect(rows).toEqual([{ total: 7.5, events: '2' }]);
  });

  // [Avro type, columns it fits] per the issue: int/long into bigint and numeric; double into
  // double precision, real, numeric; string into text/varchar; boolean into boolean; timestamps
  // into timestamptz and bigint; anything into jsonb. long into integer is a narrowing: refused.
  const MATRIX: readonly (readonly [string, unknown, readonly string[]])[] = [
    ['int', 'int', ['int4', 'int8', 'numeric', 'float8', 'jsonb']],
    ['long', 'long', ['int8', 'numeric', 'float8', 'timestamptz', 'timestamp', 'jsonb']],
    ['double', 'double', ['numeric', 'float4', 'float8', 'jsonb']],
    ['float', 'float', ['numeric', 'float4', 'float8', 'jsonb']],
    ['nullable double', ['null', 'double'], ['numeric', 'float4', 'float8', 'jsonb']],
    ['boolean', 'boolean', ['bool', 'jsonb']],
    ['string', 'string', ['text', 'varchar', 'uuid', 'timestamptz', 'timestamp', 'jsonb']],
    ['uuid', { type: 'string', logicalType: 'uuid' }, ['text', 'varchar', 'uuid', 'jsonb']],
    ['enum', { type: 'enum', name: 'Colour', symbols: ['RED', 'BLUE'] }, ['text', 'varchar', 'jsonb']],
    ['timestamp-millis', { type: 'long', logicalType: 'timestamp-millis' }, ['int8', 'numeric', 'timestamptz', 'timestamp', 'jsonb']],
    ['timestamp-micros', { type: 'long', logicalType: 'timestamp-micros' }, ['int8', 'numeric', 'jsonb']],
    ['bytes', 'bytes', ['bytea', 'jsonb']],
    ['decimal', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }, ['numeric', 'text', 'varchar', 'jsonb']],
    ['array of strings', { type: 'array', items: 'string' }, ['text_array', 'jsonb']],
    ['map', { type: 'map', values: 'long' }, ['jsonb']],
  ];
  const COLUMNS = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'text', 'varchar', 'uuid', 'timestamptz', 'timestamp', 'jsonb', 'bytea', 'text_array'];

  it.each(MATRIX)('%s fits exactly its columns', async (_what, avroType, fits) => {
    const value = { type: 'record', name: 'Row', fields: [{ name: 'f', type: avroType }] } as unknown as AvroSchema;
    const verdicts: Record<string, string> = {};
    for (const column of COLUMNS) {
      const spec = postgres({ table: 'matrix', mode: 'append', columns: { [`c_${column}`]: 'value.f' } });
      const sink = createPostgresSink({ name: 'matrix-pg', consumerGroup: 'matrix', db: t.db, spec, schemas: { key: undefined, value } });
      verdicts[column] = await sink.open([]).then(
        () => 'fits',
        (e: unknown) => (e instanceof SinkTableMismatchError && /Fix: alter table/.test(e.message) ? 'refused' : `error: ${String(e)}`),
      );
    }
    expect(verdicts).toEqual(Object.fromEntries(COLUMNS.map((c) => [c, fits.includes(c) ? 'fits' : 'refused'])));
  });
});
