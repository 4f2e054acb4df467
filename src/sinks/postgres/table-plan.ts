import { sql, type Kysely } from 'kysely';
import { avroTypeText, AvroTypes } from '../../serde/avro-field-types.js';
import { avroColumnTypes, type SinkRecordSchemas } from './avro-columns.js';
import { columnMisfit, pgTypeText } from './column-type-fit.js';
import type { Database } from './database.js';
import type { PostgresColumnType, PostgresSinkSpec } from './postgres-sink-spec.js';
import { assertIdentifier, parseQualifiedName } from './identifier.js';
import { toSnakeCase } from '../column-names.js';

/** One column the sink writes, with the table's type for it. */
export interface PlannedColumn {
  readonly column: string;
  /** Path into `{ key, value }`; `undefined` = look the column up in the flattened record. */
  readonly from: readonly string[] | undefined;
  /** The table's `udt_name` (`int8`, `timestamptz`, `_text` for arrays, …). */
  readonly udtName: string;
  readonly udtSchema: string;
  readonly declared: PostgresColumnType | undefined;
  readonly scale: number | undefined;
}

/** Everything the writer needs about the target table, checked once at start-up. */
export interface TablePlan {
  readonly spec: PostgresSinkSpec;
  /** Resolved schema (the current schema when the spec has none). */
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly PlannedColumn[];
  readonly keyColumns: readonly PlannedColumn[];
}

/**
 * Thrown at start-up when the table does not fit the sink.
 *
 * @example
 * ```ts
 * await sink.open(partitions);
 * // SinkTableMismatchError: sink route-stats-pg: table public.bus_route_minute has no column avg_kmh; add a migration in sql/ …
 * ```
 */
export class SinkTableMismatchError extends Error {
  override readonly name = 'SinkTableMismatchError';
}

interface ColumnRow {
  column_name: string;
  udt_schema: string;
  udt_name: string;
  is_nullable: string;
  column_default: string | null;
  is_generated: string;
  identity_generation: string | null;
}

// Table types each declared type may land in without losing meaning.
const COMPATIBLE: Record<PostgresColumnType, readonly string[]> = {
  timestamptz: ['timestamptz', 'timestamp'],
  numeric: ['numeric', 'float8', 'float4'],
  uuid: ['uuid'],
  text: ['text', 'varchar', 'bpchar', 'citext'],
  integer: ['int2', 'int4', 'int8', 'numeric'],
  bigint: ['int8', 'numeric'],
  double: ['float4', 'float8', 'numeric'],
  boolean: ['bool'],
  jsonb: ['json', 'jsonb'],
  bytea: ['bytea'],
};

const FIX = 'add a migration in sql/ (e.g. sql/00N_<name>.sql) and run `sluice migrate`';

/**
 * Introspects the target table and builds the write plan. Fails with a
 * {@link SinkTableMismatchError} naming the table, the column and the fix
 * when the table is missing, a mapped column is missing or of an
 * incompatible type, a NOT NULL column would never be written, or the key has
 * no unique index for `ON CONFLICT`.
 *
 * @param fields - record field paths known from the schema (`avgSpeed`,
 *   `window.start`); when given, every one must have a column.
 * @param schemas - the Avro schemas of the records; when given, each
 *   written column's type must fit its field's Avro type (see
 *   {@link columnMisfit}): a `double` aggregate into a `bigint` column is
 *   refused here, naming column, both types and the `alter table` that fixes it.
 * @example
 * ```ts
 * const plan = await planTable(db, postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }));
 * // SinkTableMismatchError: table public.bus_route_minute does not exist; add a migration in sql/ …
 * await planTable(db, postgres({ table: 'traffic_segment_stats' }), fields, { key: keySchema, value: valueSchema });
 * // SinkTableMismatchError: column public.traffic_segment_stats.vehicles is bigint, but field vehicles is double:
 * //   a fraction would be truncated or refused. Fix: alter table public.traffic_segment_stats alter column vehicles
 * //   type double precision (in a migration, sql/00N_<name>.sql, then `sluice migrate`), or map another field to it;
 * //   or, if it is a sum of whole numbers, make it a long with sum(f, { type: 'long' }) (a conditional count: countWhere(p))
 * ```
 */
export async function planTable(
  db: Kysely<Database>,
  spec: PostgresSinkSpec,
  fields?: readonly string[],
  schemas?: SinkRecordSchemas,
): Promise<TablePlan> {
  // Re-validated: a spec object may not have come through postgres().
  const { schema: wanted, name: table } = parseQualifiedName(spec.table, 'table');
  spec.key.forEach((k) => assertIdentifier(k, 'key column'));
  spec.columns?.forEach((c) => assertIdentifier(c.column, 'column'));

  const schemaRow = await sql<{ schema: string }>`select coalesce(${wanted ?? null}::text, current_schema()) as schema`.execute(db);
  const schema = schemaRow.rows[0]?.schema ?? 'public';
  const where = `${schema}.${table}`;
  const rows = (
    await sql<ColumnRow>`
      select column_name, udt_schema, udt_name, is_nullable, column_default, is_generated, identity_generation
      from information_schema.columns
      where table_schema = ${schema} and table_name = ${table}
      order by ordinal_position`.execute(db)
  ).rows;
  if (rows.length === 0) throw new SinkTableMismatchError(`table ${where} does not exist; ${FIX}`);
  const byName = new Map(rows.map((r) => [r.column_name, r]));
  const key = spec.key.length > 0 || spec.mode === 'append' ? spec.key : await primaryKey(db, schema, table);
  if (schemas?.key !== undefined && spec.columns === undefined && spec.mode !== 'append') {
    // A table has one row per table key (group key, and window start for windows); a key without
    // part of it would let different windows of a group overwrite one another's row, silently.
    const tableKey = (new AvroTypes(schemas.key).leaves(schemas.key) ?? []).map((leaf) => toSnakeCase(leaf.path.join('_')));
    const missing = tableKey.filter((column) => !key.includes(column));
    if (missing.length > 0) {
      throw new SinkTableMismatchError(
        `the sink's key (${key.join(', ')}${spec.key.length === 0 ? `: the primary key of ${where}` : ''}) leaves out ${missing.join(', ')} of the table topic's key ` +
          `(${tableKey.join(', ')}), so rows of different table keys — different windows of a group, say — would overwrite one another; ` +
          `key the table by (${tableKey.join(', ')}): ${FIX} that makes it the primary key, and give the sink key: [${tableKey.map((k) => `'${k}'`).join(', ')}]`,
      );
    }
  }
  const avroType = schemas === undefined ? undefined : avroColumnTypes(schemas, key);

  const planned = (column: string, from: readonly string[] | undefined, declared?: PostgresColumnType, scale?: number): PlannedColumn => {
    const row = byName.get(column);
    if (!row) throw new SinkTableMismatchError(`table ${where} has no column ${column}; ${FIX} that adds it, or map the field elsewhere`);
    if (row.is_generated === 'ALWAYS' || row.identity_generation === 'ALWAYS') {
      throw new SinkTableMismatchError(`column ${where}.${column} is generated by the database and cannot be written; remove it from the sink's columns`);
    }
    if (declared && !COMPATIBLE[declared].includes(row.udt_name)) {
      throw new SinkTableMismatchError(
        `column ${where}.${column} is ${row.udt_name} but the sink declares ${declared} (fits ${COMPATIBLE[declared].join(', ')}); ${FIX} that alters it, or fix the mapping`,
      );
    }
    const type = avroType?.(column, from);
    const misfit = type === undefined ? undefined : columnMisfit(type, row.udt_name);
    if (type !== undefined && misfit !== undefined) {
      const field = from === undefined ? `field ${column}` : `its source ${from.join('.')}`;
      const sumHint = (type.kind === 'double' || type.kind === 'float') && /^int[248]$/.test(row.udt_name)
        ? `; or, if it is a sum of whole numbers, make it a long with sum(f, { type: 'long' }) (a conditional count: countWhere(p))`
        : '';
      throw new SinkTableMismatchError(
        `column ${where}.${column} is ${pgTypeText(row.udt_name)}, but ${field} is ${avroTypeText(type)}: ${misfit.problem}. ` +
          `Fix: alter table ${where} alter column ${column} type ${misfit.fits} (in a migration, sql/00N_<name>.sql, then \`sluice migrate\`), ` +
          `or map another field to it${sumHint}`,
      );
    }
    return { column, from, udtName: row.udt_name, udtSchema: row.udt_schema, declared, scale };
  };

  let columns: PlannedColumn[];
  if (spec.columns) {
    columns = spec.columns.map((c) => planned(c.column, c.from, c.type, c.scale));
  } else if (fields) {
    const names = [...new Set([...fields.map((f) => toSnakeCase(f.replaceAll('.', '_'))), ...key])];
    columns = names.map((n) => planned(n, undefined));
  } else {
    // Columns with a default are left to the database unless mapped: writing
    // NULL over `default now()` would be worse than not writing them.
    const names = rows
      .filter((r) => key.includes(r.column_name) || (r.column_default === null && r.is_generated !== 'ALWAYS' && r.identity_generation === null))
      .map((r) => r.column_name);
    columns = names.map((n) => planned(n, undefined));
  }

  const written = new Set(columns.map((c) => c.column));
  const missingKey = key.filter((k) => !written.has(k));
  if (missingKey.length > 0) throw new SinkTableMismatchError(`key column(s) ${missingKey.join(', ')} of ${where} are not written by the sink; map them`);
  for (const r of rows) {
    if (!written.has(r.column_name) && r.is_nullable === 'NO' && r.column_default === null && r.is_generated !== 'ALWAYS' && r.identity_generation === null) {
      throw new SinkTableMismatchError(
        `column ${where}.${r.column_name} is NOT NULL without a default but the sink never writes it; map a field to it, or ${FIX} that gives it a default`,
      );
    }
  }
  if (spec.key.length > 0 && spec.mode !== 'append') await assertUniqueKey(db, schema, table, key);

  const keyColumns = key.map((k) => columns.find((c) => c.column === k)!);
  return { spec, schema, table, columns, keyColumns };
}

async function primaryKey(db: Kysely<Database>, schema: string, table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    select a.attname::text as column_name
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where n.nspname = ${schema} and c.relname = ${table} and i.indisprimary
    order by array_position(i.indkey::int2[], a.attnum)`.execute(db);
  if (rows.length === 0) {
    throw new SinkTableMismatchError(
      `table ${schema}.${table} has no primary key, so the sink cannot tell rows apart; give the sink key: [...] naming a unique index, or ${FIX} that adds a primary key`,
    );
  }
  return rows.map((r) => r.column_name);
}

async function assertUniqueKey(db: Kysely<Database>, schema: string, table: string, key: readonly string[]): Promise<void> {
  const { rows } = await sql<{ cols: string[] | string }>`
    select array(
      select a.attname::text from pg_attribute a
      where a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      order by a.attname
    ) as cols
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${table} and i.indisunique and i.indpred is null`.execute(db);
  const wanted = [...key].sort().join(',');
  const found = rows.some((r) => toArray(r.cols).sort().join(',') === wanted);
  if (!found) {
    throw new SinkTableMismatchError(
      `table ${schema}.${table} has no primary key or unique index on exactly (${key.join(', ')}), which ON CONFLICT needs; ${FIX} that adds one`,
    );
  }
}

// pg parses text[] into an array; a driver without the array parser would return '{a,b}'.
function toArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, '').split(',').filter((s) => s.length > 0).map((s) => s.replace(/^"|"$/g, ''));
}
