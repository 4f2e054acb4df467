/**
 * `postgres({...})`: the pure description of a PostgreSQL sink, as written in
 * a topology. Plain frozen data, no I/O and no driver import, so `describe()`
 * and validation work without a database; the writer lives in
 * `postgres-sink.ts`.
 */
import type { SinkWriteMode } from '../coalesce-batch.js';
import { assertIdentifier, parseQualifiedName } from './identifier.js';

/**
 * How a batch lands:
 * - `upsert`: `INSERT … ON CONFLICT (key) DO UPDATE`; the last value per key wins (tables).
 * - `insert-ignore`: `INSERT … ON CONFLICT DO NOTHING`; the first write per key wins (event logs keyed by an id).
 * - `append`: plain `INSERT`; every record is a row. Exactly-once still holds through the offsets row.
 */
export type PostgresSinkMode = SinkWriteMode;

/**
 * Declared value type of a column, used to convert values (epoch ms →
 * `timestamptz`, Avro decimal bytes → `numeric`, …) and checked against the
 * table at start-up. Without it the column's type in the table decides.
 */
export type PostgresColumnType =
  | 'timestamptz'
  | 'numeric'
  | 'uuid'
  | 'text'
  | 'integer'
  | 'bigint'
  | 'double'
  | 'boolean'
  | 'jsonb'
  | 'bytea';

/** Where one column's value comes from. */
export interface PostgresColumnMapping {
  /**
   * Dotted path into the record: `key.route_id`, `value.avgSpeed`,
   * `window.start`. Without a `key.`/`value.` prefix the value is searched
   * first, then the key.
   */
  readonly from: string;
  readonly type?: PostgresColumnType;
  /** Scale of an Avro `decimal` delivered as bytes (unscaled two's complement). */
  readonly scale?: number;
}

/** What a topology author writes. */
export interface PostgresSinkOptions {
  /** `table` or `schema.table`. */
  readonly table: string;
  /**
   * Primary-key (or unique-index) columns for `ON CONFLICT` and tombstone
   * deletes. Default: the table's primary key, read at start-up.
   */
  readonly key?: readonly string[];
  /** Default `upsert`. */
  readonly mode?: PostgresSinkMode;
  /**
   * Column → source. Without it every record field maps to its snake_case
   * column (`avgSpeed` → `avg_speed`, `window.start` → `window_start`).
   */
  readonly columns?: Readonly<Record<string, string | PostgresColumnMapping>>;
}

/**
 * One explicitly mapped column, validated. A type alias, not an interface,
 * so the spec stays assignable to the planner's open `SinkSpec`.
 */
export type PostgresColumnSpec = {
  readonly column: string;
  /** Path segments, e.g. `['value', 'avgSpeed']` or `['window', 'start']`. */
  readonly from: readonly string[];
  readonly type: PostgresColumnType | undefined;
  readonly scale: number | undefined;
};

/**
 * The frozen, validated description a topology carries (a type alias so it
 * is assignable to the planner's `SinkSpec` index signature).
 */
export type PostgresSinkSpec = {
  readonly kind: 'postgres';
  /** As written: `table` or `schema.table`. */
  readonly table: string;
  readonly schema: string | undefined;
  readonly tableName: string;
  readonly key: readonly string[];
  readonly mode: PostgresSinkMode;
  /** `undefined`: derive columns from record fields by snake_case. */
  readonly columns: readonly PostgresColumnSpec[] | undefined;
};

const MODES: readonly PostgresSinkMode[] = ['upsert', 'insert-ignore', 'append'];
const TYPES: readonly PostgresColumnType[] = [
  'timestamptz', 'numeric', 'uuid', 'text', 'integer', 'bigint', 'double', 'boolean', 'jsonb', 'bytea',
];
const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Thrown by {@link postgres} for a definition that cannot work. */
export class PostgresSinkSpecError extends Error {
  override readonly name = 'PostgresSinkSpecError';
}

/**
 * Describes a PostgreSQL sink. Validates every identifier now, so a bad name
 * fails when the topology loads, naming the identifier and the rule.
 *
 * @example
 * ```ts
 * topology('bus-telemetry')
 *   // …
 *   .sink('route-stats-pg', postgres({
 *     table: 'bus_route_minute',
 *     key: ['route_id', 'window_start'],
 *     columns: { avg_kmh: { from: 'value.avgSpeed', type: 'numeric' } },
 *   }));
 * // → { kind: 'postgres', table: 'bus_route_minute', mode: 'upsert', key: ['route_id', 'window_start'], … }
 *
 * postgres({ table: 'x', key: ['id"; DROP TABLE x; --'] });
 * // throws InvalidIdentifierError: invalid key column "id\"; DROP TABLE x; --": SQL identifiers must match …
 * ```
 */
export function postgres(options: PostgresSinkOptions): PostgresSinkSpec {
  if (options === null || typeof options !== 'object') {
    throw new PostgresSinkSpecError('postgres(): expected an options object like { table, key }');
  }
  const { schema, name } = parseQualifiedName(options.table, 'table');
  const mode = options.mode ?? 'upsert';
  if (!MODES.includes(mode)) {
    throw new PostgresSinkSpecError(`postgres(${options.table}): unknown mode ${JSON.stringify(mode)}; use one of ${MODES.join(', ')}`);
  }
  const key = (options.key ?? []).map((k) => assertIdentifier(k, 'key column'));
  if (new Set(key).size !== key.length) {
    throw new PostgresSinkSpecError(`postgres(${options.table}): key lists a column twice: ${key.join(', ')}`);
  }
  const columns = options.columns === undefined ? undefined : parseColumns(options.table, options.columns);
  if (columns) {
    const mapped = new Set(columns.map((c) => c.column));
    const unmapped = key.filter((k) => !mapped.has(k));
    if (unmapped.length > 0) {
      throw new PostgresSinkSpecError(
        `postgres(${options.table}): key column(s) ${unmapped.join(', ')} missing from columns; map them too`,
      );
    }
  }
  return deepFreeze({ kind: 'postgres', table: options.table, schema, tableName: name, key, mode, columns });
}

function parseColumns(
  table: string,
  columns: Readonly<Record<string, string | PostgresColumnMapping>>,
): PostgresColumnSpec[] {
  const entries = Object.entries(columns);
  if (entries.length === 0) throw new PostgresSinkSpecError(`postgres(${table}): columns is empty; omit it to map every field`);
  return entries.map(([column, source]) => {
    assertIdentifier(column, 'column');
    const mapping: PostgresColumnMapping = typeof source === 'string' ? { from: source } : source;
    const from = typeof mapping?.from === 'string' ? mapping.from.split('.') : [];
    if (from.length === 0 || !from.every((s) => PATH_SEGMENT.test(s))) {
      throw new PostgresSinkSpecError(
        `postgres(${table}): column ${column}: source ${JSON.stringify(mapping?.from)} must be a dotted field path like 'value.avgSpeed'`,
      );
    }
    if (mapping.type !== undefined && !TYPES.includes(mapping.type)) {
      throw new PostgresSinkSpecError(
        `postgres(${table}): column ${column}: unknown type ${JSON.stringify(mapping.type)}; use one of ${TYPES.join(', ')}`,
      );
    }
    if (mapping.scale !== undefined && (!Number.isInteger(mapping.scale) || mapping.scale < 0)) {
      throw new PostgresSinkSpecError(`postgres(${table}): column ${column}: scale must be a non-negative integer`);
    }
    return { column, from, type: mapping.type, scale: mapping.scale };
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
