import type { InputRecord, OutputRecord, RecordHeaders } from '../runtime/records.js';

/**
 * A batch of records in two transferable buffers, so a batch crosses from
 * one thread to another as two memory moves instead of a structured clone of
 * thousands of objects. Keys, values and headers are copied once into
 * `bytes`; the receiving side hands out views of them, never copies.
 *
 * `meta` holds {@link PACKED_STRIDE} numbers per record: topic index (into
 * `topics`), partition (-1: none), offset (-1: none), timestamp, key length
 * (-1: null key), value length (-1: null value), header bytes (0: none).
 * Offsets travel as doubles: exact below 2^53, far beyond any Kafka log.
 *
 * @example
 * ```ts
 * const packed = packRecords(records);
 * port.postMessage({ packed }, packedTransferList(packed));
 * // on the other thread:
 * const again = unpackInputRecords(packed); // same records, values are views of packed.bytes
 * ```
 */
export interface PackedRecords {
  readonly count: number;
  readonly topics: readonly string[];
  readonly meta: Float64Array;
  readonly bytes: Uint8Array;
}

/**
 * Numbers per record in {@link PackedRecords.meta}.
 *
 * @example
 * ```ts
 * const timestamp = packed.meta[i * PACKED_STRIDE + 3];
 * ```
 */
export const PACKED_STRIDE = 7;

/**
 * What {@link packRecords} reads: an input record, an output record, or anything shaped like one.
 *
 * @example
 * ```ts
 * const r: PackableRecord = { topic: 't', partition: undefined, timestamp: 0, key: null, value: Buffer.from('v'), headers: {} };
 * ```
 */
export interface PackableRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly offset?: bigint;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: RecordHeaders;
}

const NO_HEADERS: RecordHeaders = Object.freeze({});
const utf8 = new TextEncoder();

/**
 * Packs records (in order) into one {@link PackedRecords}.
 *
 * @example
 * ```ts
 * const packed = packRecords([{ topic: 't', partition: 0, offset: 4n, timestamp: 1, key: null, value: Buffer.from('v'), headers: {} }]);
 * packed.count; // 1
 * ```
 */
export function packRecords(records: readonly PackableRecord[]): PackedRecords {
  const count = records.length;
  const meta = new Float64Array(count * PACKED_STRIDE);
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  let lastTopic: string | undefined;
  let lastIndex = -1;
  let size = 0;
  let headerSizes: number[] | undefined;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    if (r.key !== null) size += r.key.length;
    if (r.value !== null) size += r.value.length;
    if (hasHeaders(r.headers)) {
      const bytes = headerBytes(r.headers);
      (headerSizes ??= new Array<number>(count).fill(0))[i] = bytes;
      size += bytes;
    }
  }
  const bytes = new Uint8Array(size);
  let pos = 0;
  for (let i = 0, j = 0; i < count; i++, j += PACKED_STRIDE) {
    const r = records[i]!;
    if (r.topic !== lastTopic) {
      lastTopic = r.topic;
      let index = topicIndex.get(r.topic);
      if (index === undefined) {
        index = topics.push(r.topic) - 1;
        topicIndex.set(r.topic, index);
      }
      lastIndex = index;
    }
    meta[j] = lastIndex;
    meta[j + 1] = r.partition ?? -1;
    meta[j + 2] = r.offset === undefined ? -1 : Number(r.offset);
    meta[j + 3] = r.timestamp;
    const key = r.key;
    if (key === null) meta[j + 4] = -1;
    else {
      bytes.set(key, pos);
      pos += key.length;
      meta[j + 4] = key.length;
    }
    const value = r.value;
    if (value === null) meta[j + 5] = -1;
    else {
      bytes.set(value, pos);
      pos += value.length;
      meta[j + 5] = value.length;
    }
    const headerSize = headerSizes === undefined ? 0 : headerSizes[i]!;
    meta[j + 6] = headerSize;
    if (headerSize > 0) pos = writeHeaders(r.headers, bytes, pos);
  }
  return { count, topics, meta, bytes };
}

/**
 * The buffers to transfer with a {@link PackedRecords} (`postMessage`'s
 * transfer list): afterwards the sender can no longer read them.
 *
 * @example
 * ```ts
 * port.postMessage({ records: packed }, packedTransferList(packed));
 * ```
 */
export function packedTransferList(packed: PackedRecords): ArrayBuffer[] {
  return [packed.meta.buffer as ArrayBuffer, packed.bytes.buffer as ArrayBuffer];
}

/**
 * Input records from a packed batch: offsets back to `bigint`, keys and
 * values as `Buffer` views of `packed.bytes` (no copies).
 *
 * @example
 * ```ts
 * const records = unpackInputRecords(packed);
 * records[0].offset; // 4n
 * ```
 */
export function unpackInputRecords(packed: PackedRecords): InputRecord[] {
  return unpack(packed, (topic, partition, offset, timestamp, key, value, headers) => ({ topic, partition, offset: BigInt(offset), timestamp, key, value, headers }));
}

/**
 * Output records from a packed batch (partition -1 becomes `undefined`:
 * partition by key); keys and values are views of `packed.bytes`.
 *
 * @example
 * ```ts
 * for (const record of unpackOutputRecords(packed)) producer.produce(record);
 * ```
 */
export function unpackOutputRecords(packed: PackedRecords): OutputRecord[] {
  return unpack(packed, (topic, partition, _offset, timestamp, key, value, headers) => ({ topic, partition: partition < 0 ? undefined : partition, key, value, timestamp, headers }));
}

type Build<R> = (topic: string, partition: number, offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaders) => R;

function unpack<R>(packed: PackedRecords, build: Build<R>): R[] {
  const { count, meta, topics } = packed;
  const buffer = packed.bytes.buffer as ArrayBuffer;
  let pos = packed.bytes.byteOffset;
  const records = new Array<R>(count);
  for (let i = 0, j = 0; i < count; i++, j += PACKED_STRIDE) {
    const keyLength = meta[j + 4]!;
    const key = keyLength < 0 ? null : Buffer.from(buffer, pos, keyLength);
    if (keyLength > 0) pos += keyLength;
    const valueLength = meta[j + 5]!;
    const value = valueLength < 0 ? null : Buffer.from(buffer, pos, valueLength);
    if (valueLength > 0) pos += valueLength;
    const headerSize = meta[j + 6]!;
    const headers = headerSize === 0 ? NO_HEADERS : readHeaders(buffer, pos, headerSize);
    pos += headerSize;
    records[i] = build(topics[meta[j]!]!, meta[j + 1]!, meta[j + 2]!, meta[j + 3]!, key, value, headers);
  }
  return records;
}

function hasHeaders(headers: RecordHeaders): boolean {
  for (const _ in headers) return true;
  return false;
}

// Per header: name length (u32), name (UTF-8), value length (u32), value.
function headerBytes(headers: RecordHeaders): number {
  let size = 0;
  for (const name in headers) size += 8 + Buffer.byteLength(name) + headers[name]!.length;
  return size;
}

function writeHeaders(headers: RecordHeaders, bytes: Uint8Array, start: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  for (const name in headers) {
    const nameBytes = utf8.encode(name);
    view.setUint32(pos, nameBytes.length);
    bytes.set(nameBytes, pos + 4);
    pos += 4 + nameBytes.length;
    const value = headers[name]!;
    view.setUint32(pos, value.length);
    bytes.set(value, pos + 4);
    pos += 4 + value.length;
  }
  return pos;
}

function readHeaders(buffer: ArrayBuffer, start: number, size: number): RecordHeaders {
  const view = new DataView(buffer, start, size);
  const headers: Record<string, Buffer> = {};
  let pos = 0;
  while (pos < size) {
    const nameLength = view.getUint32(pos);
    const name = Buffer.from(buffer, start + pos + 4, nameLength).toString('utf8');
    pos += 4 + nameLength;
    const valueLength = view.getUint32(pos);
    headers[name] = Buffer.from(buffer, start + pos + 4, valueLength);
    pos += 4 + valueLength;
  }
  return headers;
}
