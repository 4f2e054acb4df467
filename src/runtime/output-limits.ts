import { ERROR_HEADERS } from './error-headers.js';
import type { OutputRecord, RecordHeaders } from './records.js';

/**
 * The largest record, in bytes, each output topic of a topology accepts:
 * the topic's `max.message.bytes`, capped by the producer's
 * `message.max.bytes`. Read once at start-up (see `ensurePlanTopics`);
 * topics absent from the map are not checked.
 *
 * @example
 * ```ts
 * const limits: OutputLimits = new Map([['events_dlq', 1_048_588]]);
 * ```
 */
export type OutputLimits = ReadonlyMap<string, number>;

/**
 * Kafka's default `max.message.bytes` (the broker's `message.max.bytes`):
 * assumed for a topic whose config cannot be read.
 *
 * @example
 * ```ts
 * limits.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
 * ```
 */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** A record batch's header (61 bytes) plus the most one record's own varints take. */
const FRAMING_BYTES = 128;
/** A header's two length varints, at most. */
const HEADER_FRAMING_BYTES = 10;

/**
 * What one record takes on the wire at most, in bytes: key, value and
 * headers uncompressed, plus the record-batch framing. An upper bound of what
 * the broker compares with a topic's `max.message.bytes` when the record
 * travels alone (librdkafka sends a batch uncompressed when compression does
 * not make it smaller), and of what librdkafka compares with the producer's
 * `message.max.bytes`.
 *
 * @example
 * ```ts
 * recordBytes({ key: Buffer.from('k'), value: Buffer.alloc(1000), headers: {} }); // 1129
 * ```
 */
export function recordBytes(record: Pick<OutputRecord, 'key' | 'value' | 'headers'>): number {
  return FRAMING_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0) + headerBytes(record.headers);
}

function headerBytes(headers: RecordHeaders): number {
  let bytes = 0;
  for (const name in headers) bytes += HEADER_FRAMING_BYTES + Buffer.byteLength(name) + headers[name]!.length;
  return bytes;
}

/**
 * A dead letter cut down to fit a topic that accepts at most `limit` bytes
 * per record; unchanged when it fits. Its reason, step, message and source
 * coordinates are kept, and `sluice.error.original-size` gives the original
 * value's length in bytes. In order, until it fits: the value is cut to the
 * bytes that fit (its first bytes are kept); the failed record's own headers
 * are dropped; the error message is cut; the key is dropped.
 *
 * @example
 * ```ts
 * const fitted = fitDeadLetter(record, 1_048_588);
 * fitted.headers['sluice.error.original-size']?.toString(); // '5242880'
 * ```
 */
export function fitDeadLetter(record: OutputRecord, limit: number): OutputRecord {
  if (recordBytes(record) <= limit) return record;
  const originalSize = Buffer.from(String(record.value?.length ?? 0));
  let headers: RecordHeaders = { ...record.headers, [ERROR_HEADERS.originalSize]: originalSize };
  let key = record.key;
  const withValueCut = (): OutputRecord | undefined => {
    const room = limit - recordBytes({ key, value: null, headers });
    if (room < 0) return undefined;
    const value = record.value === null ? null : record.value.subarray(0, Math.min(room, record.value.length));
    return { ...record, key, value, headers };
  };
  let fitted = withValueCut();
  if (fitted !== undefined) return fitted;
  headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('sluice.')));
  fitted = withValueCut();
  if (fitted !== undefined) return fitted;
  const message = headers[ERROR_HEADERS.message];
  if (message !== undefined && message.length > 1_000) headers = { ...headers, [ERROR_HEADERS.message]: message.subarray(0, 1_000) };
  fitted = withValueCut();
  if (fitted !== undefined) return fitted;
  key = null;
  return withValueCut() ?? { ...record, key, value: record.value === null ? null : Buffer.alloc(0), headers };
}
