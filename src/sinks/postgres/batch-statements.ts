import { sql, type RawBuilder } from 'kysely';
import { arrayLiteral } from './array-literal.js';
import type { PlannedColumn, TablePlan } from './table-plan.js';

/**
 * How rows are bound:
 * - `unnest`: one array parameter per column, `INSERT … SELECT * FROM unnest($1::t[], …)`.
 *   One statement whatever the batch size, a constant SQL text (the plan is
 *   cached by the server), and far fewer parameters to serialise.
 * - `values`: multi-row `VALUES ($1, $2), …`; needed when a column is itself an
 *   array (unnest would flatten it). Chunked under the 65 535-parameter limit.
 */
export type BindStyle = 'unnest' | 'values';

const MAX_PARAMETERS = 65_535;

/**
 * The bind style a table allows, given the preferred one.
 *
 * @example
 * ```ts
 * bindStyleFor(planWithTextArrayColumn, 'unnest'); // 'values'
 * ```
 */
export function bindStyleFor(plan: TablePlan, preferred: BindStyle): BindStyle {
  return plan.columns.some((c) => c.udtName.startsWith('_')) ? 'values' : preferred;
}

/**
 * The statements writing `rows` (values in `plan.columns` order) in the
 * plan's mode. With `unnest` there is exactly one.
 *
 * @example
 * ```ts
 * insertStatements(plan, rows, 'unnest');
 * // insert into "public"."bus_route_minute" ("route_id", "window_start", "events")
 * //   select * from unnest($1::"pg_catalog"."text"[], $2::"pg_catalog"."timestamptz"[], $3::"pg_catalog"."int8"[])
 * //   on conflict ("route_id", "window_start") do update set "events" = excluded."events"
 * ```
 */
export function insertStatements(plan: TablePlan, rows: readonly (readonly unknown[])[], style: BindStyle): RawBuilder<unknown>[] {
  if (rows.length === 0) return [];
  const target = sql`${sql.table(qualified(plan))} (${sql.join(plan.columns.map((c) => sql.ref(c.column)))})`;
  const tail = conflictClause(plan);
  if (style === 'unnest') {
    return [sql`insert into ${target} select * from ${unnestOf(plan.columns, rows)} ${tail}`];
  }
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / plan.columns.length));
  const statements: RawBuilder<unknown>[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const tuples = chunk.map((r) => sql`(${sql.join(r.map((v) => sql`${v}`))})`);
    statements.push(sql`insert into ${target} values ${sql.join(tuples)} ${tail}`);
  }
  return statements;
}

/**
 * One `DELETE` for the tombstoned keys (values in `plan.keyColumns` order).
 *
 * @example
 * ```ts
 * deleteStatement(plan, [['R1', new Date(0)]]);
 * // delete from "public"."bus_route_minute" where ("route_id", "window_start")
 * //   in (select * from unnest($1::"pg_catalog"."text"[], $2::"pg_catalog"."timestamptz"[]))
 * ```
 */
export function deleteStatement(plan: TablePlan, keys: readonly (readonly unknown[])[]): RawBuilder<unknown> | undefined {
  if (keys.length === 0 || plan.keyColumns.length === 0) return undefined;
  const refs = sql.join(plan.keyColumns.map((c) => sql.ref(c.column)));
  return sql`delete from ${sql.table(qualified(plan))} where (${refs}) in (select * from ${unnestOf(plan.keyColumns, keys)})`;
}

function conflictClause(plan: TablePlan): RawBuilder<unknown> {
  const { mode } = plan.spec;
  if (mode === 'append') return sql``;
  if (mode === 'insert-ignore' || plan.keyColumns.length === 0) {
    return plan.keyColumns.length === 0
      ? sql`on conflict do nothing`
      : sql`on conflict (${sql.join(plan.keyColumns.map((c) => sql.ref(c.column)))}) do nothing`;
  }
  const keySet = new Set(plan.keyColumns.map((c) => c.column));
  const rest = plan.columns.filter((c) => !keySet.has(c.column));
  const conflict = sql`on conflict (${sql.join(plan.keyColumns.map((c) => sql.ref(c.column)))})`;
  if (rest.length === 0) return sql`${conflict} do nothing`;
  const sets = rest.map((c) => sql`${sql.ref(c.column)} = excluded.${sql.ref(c.column)}`);
  return sql`${conflict} do update set ${sql.join(sets)}`;
}

function unnestOf(columns: readonly PlannedColumn[], rows: readonly (readonly unknown[])[]): RawBuilder<unknown> {
  const arrays = columns.map((c, i) => {
    const values = rows.map((r) => r[i] ?? null);
    // The literal where we can write it (see arrayLiteral); the array itself for node-postgres otherwise.
    const bound = arrayLiteral(values, c.udtName) ?? values;
    return sql`${bound}::${sql.id(c.udtSchema, c.udtName)}[]`;
  });
  return sql`unnest(${sql.join(arrays)})`;
}

function qualified(plan: TablePlan): string {
  return `${plan.schema}.${plan.table}`;
}
