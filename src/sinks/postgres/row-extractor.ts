import type { SinkRecord } from '../sink.js';
import { isPlainObject } from '../record-fields.js';
import { rowValues, type ColumnSource } from './record-row.js';
import { toSnakeCase } from '../column-names.js';
import type { PlannedColumn } from './table-plan.js';

/** Per column (in column order): its source, or undefined to look it up in the flattened record. */
type Layout = readonly (ColumnSource | undefined)[];

/**
 * Builds the parameter values of records' rows for fixed columns — the same
 * values as {@link rowValues} — without flattening every record. Avro records
 * decode into instances of one generated class per record type, so where a
 * column comes from (which side, which nested path) is worked out once per
 * key and value class and then read directly — for classes whose records all
 * flatten alike (no union with a record or map branch, no map). Other classes
 * and plain objects, whose shapes may differ from one record to the next, are
 * flattened record by record as before.
 *
 * @example
 * ```ts
 * const extract = new RowExtractor(plan.columns, 'route_id');
 * extract.values({ topic: 't', partition: 0, offset: 0n, key: { routeId: 'R1' }, value: { window: { start: 0 }, events: 3 } });
 * // ['R1', 1970-01-01T00:00:00.000Z, 3] for columns route_id, window_start, events
 * ```
 */
export class RowExtractor {
  readonly #columns: readonly PlannedColumn[];
  readonly #scalarKeyColumn: string | undefined;
  /** value class → key class (or the key's typeof) → layout. */
  readonly #layouts = new Map<unknown, Map<unknown, Layout>>();

  constructor(columns: readonly PlannedColumn[], scalarKeyColumn?: string) {
    this.#columns = columns;
    this.#scalarKeyColumn = scalarKeyColumn;
  }

  /** The row's parameter values in column order; throws `RecordMappingError` for a value the column cannot take. */
  values(record: SinkRecord): unknown[] {
    return rowValues(record, this.#columns, this.#scalarKeyColumn, this.#layoutFor(record.key, record.value));
  }

  #layoutFor(key: unknown, value: unknown): Layout | undefined {
    const valueClass = classOf(value);
    const keyClass = typeof key === 'object' && key !== null ? classOf(key) : typeof key;
    if (valueClass === undefined || keyClass === undefined) return undefined;
    let byKey = this.#layouts.get(valueClass);
    if (!byKey) this.#layouts.set(valueClass, (byKey = new Map()));
    let layout = byKey.get(keyClass);
    if (!layout) {
      const sources = sourcesOf(key, value);
      layout = this.#columns.map((c) => (c.from ? undefined : sources.get(c.column)));
      byKey.set(keyClass, layout);
    }
    return layout;
  }
}

/** Per generated class: whether every record of it flattens to the same columns from the same paths. */
const fixedClasses = new Map<unknown, boolean>();

/**
 * The generated class of a decoded record whose columns sit in the same place
 * in every record of it; undefined for plain objects, and for types where they
 * move: a union with a record or map branch (`null` in one record, nested
 * columns in the next), a map (its keys are columns), a recursive record.
 */
function classOf(v: unknown): unknown {
  if (!isPlainObject(v)) return undefined;
  const ctor: unknown = Object.getPrototypeOf(v)?.constructor;
  if (ctor === Object || ctor === undefined) return undefined;
  let fixed = fixedClasses.get(ctor);
  if (fixed === undefined) {
    fixed = hasFixedLayout((ctor as { type?: unknown }).type, new Set());
    fixedClasses.set(ctor, fixed);
  }
  return fixed ? ctor : undefined;
}

/** avsc's view of a type, as far as flattening cares. */
interface AvroTypeShape {
  readonly typeName?: string;
  readonly fields?: readonly { readonly type: unknown }[];
  readonly types?: readonly unknown[];
}

function hasFixedLayout(type: unknown, enclosing: Set<unknown>): boolean {
  if (type === null || typeof type !== 'object') return false;
  const t = type as AvroTypeShape;
  switch (t.typeName) {
    case 'record':
    case 'error':
    {
      if (enclosing.has(type) || !t.fields) return false; // recursive: its depth varies
      enclosing.add(type);
      const fixed = t.fields.every((f) => hasFixedLayout(f.type, enclosing));
      enclosing.delete(type);
      return fixed;
    }
    case 'union:unwrapped':
      return (t.types ?? []).every((b) => !['record', 'error', 'map'].includes((b as AvroTypeShape).typeName ?? ''));
    case 'map':
    case 'union:wrapped':
    case undefined:
      return false;
    default:
      return true; // primitives, enums, fixed, arrays, logical types: one column each
  }
}

/** Where {@link flattenRecord} takes each column from, for this key and value. */
function sourcesOf(key: unknown, value: unknown): Map<string, ColumnSource> {
  const out = new Map<string, ColumnSource>();
  if (isPlainObject(value)) sourcesInto(out, value, '', 'value', []);
  if (isPlainObject(key)) sourcesInto(out, key, '', 'key', []);
  else if (key !== null && key !== undefined) out.set('key', { side: 'key', path: [] });
  return out;
}

function sourcesInto(out: Map<string, ColumnSource>, obj: Record<string, unknown>, prefix: string, side: ColumnSource['side'], path: readonly string[]): void {
  for (const [field, v] of Object.entries(obj)) {
    const name = prefix + toSnakeCase(field);
    if (isPlainObject(v)) sourcesInto(out, v, `${name}_`, side, [...path, field]);
    else out.set(name, { side, path: [...path, field] });
  }
}
