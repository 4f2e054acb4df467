import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../../src/sinks/postgres/identifier.js';
import { createPostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { postgres, type PostgresSinkOptions, type PostgresSinkSpec } from '../../../src/sinks/postgres/postgres-sink-spec.js';
import { SinkTableMismatchError } from '../../../src/sinks/postgres/table-plan.js';
import { openServerDatabase, type TestDatabase } from './support/test-database.js';

describe('PostgreSQL sink start-up check', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openServerDatabase('check');
    await sql`
      create table x (id text primary key, route_id text not null, speed numeric, updated_at timestamptz not null default now());
      insert into x (id, route_id, speed) values ('a', 'R1', 1), ('b', 'R2', 2);
      create table no_key (id text, v int);
      create table needs_v (id text primary key, v int not null)`.execute(t.db);
  });
  afterAll(async () => t?.close());

  const open = async (spec: PostgresSinkSpec | PostgresSinkOptions, fields?: string[]) =>
    createPostgresSink({
      name: 'check-pg', consumerGroup: 'check', db: t.db,
      spec: 'kind' in spec ? spec : postgres(spec), ...(fields ? { fields } : {}),
    }).open([{ topic: 't', partition: 0 }]);

  it('accepts a table that fits', async () => {
    await expect(open({ table: 'x', key: ['id'] })).resolves.toEqual([]);
    await expect(open({ table: `${t.schema}.x`, key: ['id'], columns: { id: 'key', route_id: 'routeId', speed: { from: 'speed', type: 'numeric' } } })).resolves.toEqual([]);
  });

  it('names a missing table and the fix', async () => {
    await expect(open({ table: 'bus_route_hour', key: ['id'] })).rejects.toThrow(
      new RegExp(`sink check-pg: table ${t.schema}\\.bus_route_hour does not exist; add a migration in sql/`),
    );
  });

  it('names a missing column', async () => {
    await expect(open({ table: 'x', key: ['id'], columns: { id: 'id', route_id: 'r', avg_kmh: 'avgKmh' } })).rejects.toThrow(
      new RegExp(`table ${t.schema}\\.x has no column avg_kmh; add a migration in sql/`),
    );
    await expect(open({ table: 'x', key: ['id'] }, ['id', 'routeId', 'maxSpeed'])).rejects.toThrow(/has no column max_speed/);
  });

  it('names a column whose type does not fit the declared one', async () => {
    await expect(open({ table: 'x', key: ['id'], columns: { id: 'id', route_id: { from: 'r', type: 'timestamptz' } } })).rejects.toThrow(
      new RegExp(`column ${t.schema}\\.x\\.route_id is text but the sink declares timestamptz`),
    );
  });

  it('names a NOT NULL column the sink never writes', async () => {
    await expect(open({ table: 'needs_v', key: ['id'], columns: { id: 'id' } })).rejects.toThrow(
      /column .*needs_v\.v is NOT NULL without a default but the sink never writes it/,
    );
  });

  it('takes the primary key when the sink names no key', async () => {
    await expect(open({ table: 'x' })).resolves.toEqual([]);
    await expect(open({ table: 'no_key' })).rejects.toThrow(/no_key has no primary key, so the sink cannot tell rows apart/);
  });

  it('needs a unique index on the key for ON CONFLICT', async () => {
    await expect(open({ table: 'no_key', key: ['id'] })).rejects.toThrow(SinkTableMismatchError);
    await expect(open({ table: 'no_key', key: ['id'] })).rejects.toThrow(/no primary key or unique index on exactly \(id\)/);
    await expect(open({ table: 'no_key', mode: 'append' })).resolves.toEqual([]);
  });

  it('refuses the injection identifier, even in a hand-made spec, and leaves existing rows untouched', async () => {
    const bad = 'id"; DROP TABLE x; --';
    await expect(open({ table: 'x', key: ['id'], columns: { id: 'id', [bad]: 'v' } })).rejects.toThrow(InvalidIdentifierError);
    expect(() => postgres({ table: 'x', key: [bad] })).toThrow(/invalid key column/);
    // A spec that bypassed postgres() is validated again by the writer.
    const forged = { ...postgres({ table: 'x', key: ['id'] }), key: [bad] } as PostgresSinkSpec;
    await expect(open(forged)).rejects.toThrow(/sink check-pg: invalid key column/);
    const forgedTable = { ...postgres({ table: 'x', key: ['id'] }), table: `x"; drop table x; --` } as PostgresSinkSpec;
    await expect(open(forgedTable)).rejects.toThrow(InvalidIdentifierError);
    const { rows } = await sql<{ id: string }>`select id from x order by id`.execute(t.db);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('asks for migrations when sluice_offsets is missing', async () => {
    await sql`alter table sluice_offsets rename to sluice_offsets_aside`.execute(t.db);
    try {
      await expect(open({ table: 'x', key: ['id'] })).rejects.toThrow(/table sluice_offsets does not exist; run `sluice migrate`/);
    } finally {
      await sql`alter table sluice_offsets_aside rename to sluice_offsets`.execute(t.db);
    }
  });
});
