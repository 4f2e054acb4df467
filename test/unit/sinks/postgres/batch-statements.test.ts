import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { deleteStatement, insertStatements } from '../../../../src/sinks/postgres/batch-statements.js';
import { postgres, type PostgresSinkOptions } from '../../../../src/sinks/postgres/postgres-sink-spec.js';
import type { PlannedColumn, TablePlan } from '../../../../src/sinks/postgres/table-plan.js';

const db = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const column = (name: string, udtName: string): PlannedColumn => ({
  column: name, from: undefined, udtName, udtSchema: 'pg_catalog', declared: undefined, scale: undefined,
});
const planFor = (options: PostgresSinkOptions, columns: PlannedColumn[]): TablePlan => {
  const spec = postgres(options);
  return { spec, schema: 'public', table: spec.tableName, columns, keyColumns: spec.key.map((k) => columns.find((c) => c.column === k)!) };
};
const cols = [column('route_id', 'text'), column('window_start', 'timestamptz'), column('events', 'int8')];
const rows = [['R1', new Date(0), 3], ['R2', new Date(0), 4]];

describe('batch statements', () => {
  it('upsert through unnest: one statement, one array parameter per column', () => {
    const plan = planFor({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }, cols);
    const [s, ...rest] = insertStatements(plan, rows, 'unnest');
    expect(rest).toEqual([]);
    const q = s!.compile(db);
    expect(q.sql).toBe(
      'insert into "public"."bus_route_minute" ("route_id", "window_start", "events") select * from unnest(' +
        '$1::"pg_catalog"."text"[], $2::"pg_catalog"."timestamptz"[], $3::"pg_catalog"."int8"[]) ' +
        'on conflict ("route_id", "window_start") do update set "events" = excluded."events"',
    );
    // Each array as its PostgreSQL literal (see arrayLiteral).
    expect(q.parameters).toEqual(['{"R1","R2"}', '{"1970-01-01T00:00:00.000Z","1970-01-01T00:00:00.000Z"}', '{3,4}']);
  });

  it('multi-row VALUES binds every value', () => {
    const plan = planFor({ table: 'bus_route_minute', key: ['route_id', 'window_start'], mode: 'insert-ignore' }, cols);
    const q = insertStatements(plan, rows, 'values')[0]!.compile(db);
    expect(q.sql).toBe(
      'insert into "public"."bus_route_minute" ("route_id", "window_start", "events") values ($1, $2, $3), ($4, $5, $6) ' +
        'on conflict ("route_id", "window_start") do nothing',
    );
    expect(q.parameters).toHaveLength(6);
  });

  it('append has no conflict clause; deletes go through unnest too', () => {
    const plan = planFor({ table: 'events', mode: 'append' }, cols);
    expect(insertStatements(plan, rows, 'unnest')[0]!.compile(db).sql).not.toMatch(/on conflict/);
    const keyed = planFor({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }, cols);
    expect(deleteStatement(keyed, [['R1', new Date(0)]])!.compile(db).sql).toBe(
      'delete from "public"."bus_route_minute" where ("route_id", "window_start") in ' +
        '(select * from unnest($1::"pg_catalog"."text"[], $2::"pg_catalog"."timestamptz"[]))',
    );
    expect(insertStatements(plan, [], 'unnest')).toEqual([]);
  });

  it('chunks VALUES under the parameter limit', () => {
    const plan = planFor({ table: 'events', mode: 'append' }, cols);
    const many = Array.from({ length: 30_000 }, (_, i) => [`R${i}`, new Date(0), i]);
    expect(insertStatements(plan, many, 'values')).toHaveLength(2);
    expect(insertStatements(plan, many, 'unnest')).toHaveLength(1);
  });
});
