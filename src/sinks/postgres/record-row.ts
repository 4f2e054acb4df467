import type { SinkRecord } from '../sink.js';
import type { PlannedColumn } from './table-plan.js';
import { flattenRecord, isPlainObject, valueAt, walkPath } from '../record-fields.js';

/** Thrown when a record cannot be turned into a row; the record goes to the DLQ. */
export class RecordMappingError extends Error {
  override readonly name = 'RecordMappingError';
}

/** Where a column's value sits in every record of one key and value type (see `RowExtractor`). */
export interface ColumnSource {
  readonly side: 'key' | 'value';
  readonly path: readonly string[];
}

/**
 * Builds the parameter values of one record's row, in `columns` order.
 * Fields come from the value (then a record-shaped key); a scalar record key
 * (a string id) fills `scalarKeyColumn`, the sink's single key column, only
 * where the value has no such field — a tombstone, or a value without its id.
 * The value wins because a topic's Kafka key is often something else
 * (a user id partitioning events keyed by `event_id`). `sources` (per column,
 * from `RowExtractor`) reads a column straight from its known place instead of
 * flattening the record; where that place holds nothing or a record, the
 * record is flattened after all.
 *
 * @example
 * ```ts
 * rowValues({ topic: 't', partition: 0, offset: 0n, key: 'e1', value: { speed: 3 } }, columns, 'event_id');
 * // ['e1', 3] for columns event_id, speed
 * ```
 */
export function rowValues(
  record: SinkRecord,
  columns: readonly PlannedColumn[],
  scalarKeyColumn?: string,
  sources?: readonly (ColumnSource | undefined)[],
): unknown[] {
  const { key, value } = record;
  const scalarKey = key !== null && key !== undefined && typeof key !== 'object';
  let flat: Map<string, unknown> | undefined;
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    let raw: unknown;
    if (column.from) raw = valueAt(record, column.from);
    else {
      const source = sources?.[i];
      if (source) raw = walkPath(source.side === 'key' ? key : value, source.path);
      if (source === undefined || raw === undefined || isPlainObject(raw)) raw = (flat ??= flattenRecord(key, value)).get(column.column);
      if (raw === undefined && scalarKey && column.column === scalarKeyColumn) raw = key;
    }
    out[i] = toParameter(raw, column);
  }
  return out;
}

/**
 * Converts a decoded (Avro) value to what the driver should send for the
 * column's type: epoch ms → Date for timestamps, decimal bytes → numeric
 * text, 16 uuid bytes → text, objects → JSON for json columns, bigint → text.
 *
 * @example
 * ```ts
 * toParameter(60_000, { udtName: 'timestamptz' } as PlannedColumn); // 1970-01-01T00:01:00.000Z (a Date)
 * toParameter(Buffer.from([0x04, 0xd2]), { udtName: 'numeric', scale: 2 } as PlannedColumn); // '12.34'
 * ```
 */
export function toParameter(raw: unknown, column: Pick<PlannedColumn, 'udtName' | 'scale' | 'column'>): unknown {
  if (raw === undefined || raw === null) return null;
  switch (column.udtName) {
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      if (typeof raw === 'number' || typeof raw === 'bigint') {
        const d = new Date(Number(raw));
        if (Number.isNaN(d.getTime())) throw new RecordMappingError(`column ${column.column}: ${String(raw)} is not a valid epoch-millisecond timestamp`);
        return d;
      }
      return raw;
    case 'numeric':
      if (raw instanceof Uint8Array) return decimalFromBytes(raw, column.scale ?? 0);
      if (typeof raw === 'number') {
        if (!Number.isFinite(raw)) throw new RecordMappingError(`column ${column.column}: ${raw} cannot be stored as numeric`);
        return String(raw);
      }
      return typeof raw === 'bigint' ? raw.toString() : raw;
    case 'uuid':
      return raw instanceof Uint8Array && raw.length === 16 ? uuidFromBytes(raw) : raw;
    case 'json':
    case 'jsonb':
      return JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    case 'bytea':
      return raw instanceof Uint8Array && !Buffer.isBuffer(raw) ? Buffer.from(raw) : raw;
    default:
      return typeof raw === 'bigint' ? raw.toString() : raw;
  }
}

/** Avro `decimal` bytes: big-endian two's-complement unscaled integer. */
function decimalFromBytes(bytes: Uint8Array, scale: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) n -= 1n << BigInt(bytes.length * 8);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

function uuidFromBytes(b: Uint8Array): string {
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
