import type { AvroRecordSchema } from '../../serde/index.js';
import { ERROR_HEADERS } from '../error-headers.js';
import type { InputRecord } from '../records.js';

/**
 * A JSON value: what `payload_json` holds.
 *
 * @example
 * ```ts
 * const v: JsonValue = { event_id: 'e1', amount: null };
 * ```
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [field: string]: JsonValue };

/**
 * The row a dead-letter sink writes for one dead-letter record.
 *
 * - `source_topic`, `source_partition`, `source_offset`: where the rejected
 *   record was first read (propagated through repartition topics), and with
 *   `step` the row's identity — one source record may be rejected by two
 *   steps (late in two windowed arms), never twice by one, so
 *   `insert-ignore` on these four columns keeps a replayed DLQ exactly once.
 * - `reason`, `step`, `message`: the `sluice.error.*` headers.
 * - `source_timestamp`: the rejected record's own timestamp (epoch ms);
 *   `failed_at`: when it was dead-lettered (the DLQ record's timestamp).
 * - `key`, `payload`: the original key and value bytes, always, so a fixed
 *   record can be re-sent as it was.
 * - `payload_json`: the value decoded with its own writer schema (by the id in
 *   the Confluent wire format), as JSON; `null` when it does not decode (bad
 *   magic, unknown schema id, corrupt body, no value). Avro `bytes`/`fixed`
 *   become base64 strings, `decimal` exact strings, timestamps epoch ms.
 *
 * A dead-letter record without Sluice's headers (written by someone else)
 * still lands: its own coordinates stand in for the source's and `reason`
 * is `unknown`.
 *
 * @example
 * ```ts
 * const row: DeadLetterRow = {
 *   source_topic: 'events', source_partition: 2, source_offset: 4107n, step: 'known-type',
 *   reason: 'invalid', message: 'unknown event_type "pageview"',
 *   source_timestamp: 1763000040000, failed_at: 1763000041200,
 *   key: Buffer.from('user_17'), payload: bytes, payload_json: { event_id: '…', event_type: 'pageview', … },
 * };
 * ```
 */
export interface DeadLetterRow {
  readonly source_topic: string;
  readonly source_partition: number;
  readonly source_offset: bigint;
  readonly step: string;
  readonly reason: string;
  readonly message: string;
  readonly source_timestamp: number | null;
  readonly failed_at: number;
  readonly key: Buffer | null;
  readonly payload: Buffer | null;
  readonly payload_json: JsonValue | null;
}

/**
 * The fields of {@link DeadLetterRow} as an Avro record: what a dead-letter
 * sink's columns are checked against (`payload_json` is JSON text in Avro
 * terms; PostgreSQL stores it as `jsonb`).
 *
 * @example
 * ```ts
 * DEAD_LETTER_ROW_SCHEMA.fields.map((f) => f.name); // ['source_topic', 'source_partition', 'source_offset', 'step', …]
 * ```
 */
export const DEAD_LETTER_ROW_SCHEMA: AvroRecordSchema = Object.freeze({
  type: 'record',
  name: 'DeadLetterRow',
  namespace: 'sluice',
  fields: Object.freeze([
    { name: 'source_topic', type: 'string' },
    { name: 'source_partition', type: 'int' },
    { name: 'source_offset', type: 'long' },
    { name: 'step', type: 'string' },
    { name: 'reason', type: 'string' },
    { name: 'message', type: 'string' },
    { name: 'source_timestamp', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
    { name: 'failed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'key', type: ['null', 'bytes'] },
    { name: 'payload', type: ['null', 'bytes'] },
    { name: 'payload_json', type: ['null', 'string'] },
  ]),
} as AvroRecordSchema);

/**
 * Maps one dead-letter record to its row. Pure: the payload is decoded by
 * the caller (`decoded` is the value, or `undefined` when it did not decode).
 *
 * @example
 * ```ts
 * deadLetterRow(dlqRecord, { event_id: 'e1', amount: Buffer.from([1]) });
 * // { source_topic: 'events', source_offset: 41n, reason: 'invalid', …, payload_json: { event_id: 'e1', amount: 'AQ==' } }
 * ```
 */
export function deadLetterRow(record: InputRecord, decoded: unknown): DeadLetterRow {
  const h = record.headers;
  const text = (name: string): string | undefined => h[name]?.toString('utf8');
  const topic = text(ERROR_HEADERS.sourceTopic);
  const partition = integer(text(ERROR_HEADERS.sourcePartition));
  const offset = offsetOf(text(ERROR_HEADERS.sourceOffset));
  // Coordinates come as a set: a partial set would mix two records' identities.
  const sourced = topic !== undefined && partition !== undefined && offset !== undefined;
  const timestamp = integer(text(ERROR_HEADERS.sourceTimestamp));
  return {
    source_topic: sourced ? topic : record.topic,
    source_partition: sourced ? partition : record.partition,
    source_offset: sourced ? offset : record.offset,
    step: text(ERROR_HEADERS.step) ?? '',
    reason: text(ERROR_HEADERS.reason) ?? 'unknown',
    message: text(ERROR_HEADERS.message) ?? '',
    source_timestamp: timestamp ?? null,
    failed_at: record.timestamp,
    key: record.key,
    payload: record.value,
    payload_json: decoded === undefined ? null : toJson(decoded),
  };
}

/**
 * A decoded Avro value as plain JSON: Buffers as base64, bigints and
 * non-finite numbers as strings, records as plain objects.
 *
 * @example
 * ```ts
 * toJson({ id: Buffer.from('hi'), n: 2n, x: NaN }); // { id: 'aGk=', n: '2', x: 'NaN' }
 * ```
 */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return value.map(toJson);
      if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
    default:
      return String(value);
  }
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function offsetOf(text: string | undefined): bigint | undefined {
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined;
}
