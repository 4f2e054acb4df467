import type { KafkaMessage } from '../kafka/index.js';
import type { WriterSchemaDecoder } from './writer-schema-decoder.js';

/** Strict: a key or header that is not valid UTF-8 is shown as bytes, not with U+FFFD in it. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Control characters other than tab and line breaks: such a string is binary, whatever decodes. */
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * One consumed record as a line of JSON (`counts.undecodable` counts values
 * that did not decode), fields in this order:
 * `topic`, `partition`, `offset`, `timestamp` (ISO-8601, `null` without one),
 * `key`, `headers`, `value`.
 *
 * - `value`: decoded with its writer schema (see {@link WriterSchemaDecoder};
 *   `prepare` it first), `null` for a tombstone, or
 *   `{"bytes": "<base64>", "error": "<reason>: <message>"}` when it does not decode.
 * - `key`: decoded the same way when it is a wire-format Avro key, else the
 *   UTF-8 text when printable, else `{"bytes": "<base64>"}`; `null` without one.
 * - `headers`: name → UTF-8 text when printable, else `{"bytes": "<base64>"}`;
 *   a name that occurs more than once maps to an array of its values in order.
 *
 * Values print as Avro's JSON encoding does, except unions, which are shown
 * plainly (`"x"`, not `{"string": "x"}`): `long` and timestamps as JSON numbers
 * (Sluice reads longs as JS numbers; a long past ±2^53 does not decode, as in
 * a topology), `bytes`/`fixed` as strings of characters U+0000–U+00FF,
 * `decimal` as an exact string (`"12.50"`), NaN and ±Infinity as strings.
 * `sluice produce` reads all of these back.
 *
 * @example
 * ```ts
 * consumedRecordLine(message, decoder);
 * // '{"topic":"events_dlq","partition":0,"offset":41,"timestamp":"2026-01-05T08:00:00.000Z","key":"e-17",
 * //   "headers":{"sluice.error.reason":"invalid","sluice.error.step":"check"},"value":{"event_id":"e-17",…}}'
 * ```
 */
export function consumedRecordLine(message: KafkaMessage, decoder: WriterSchemaDecoder, counts?: { undecodable: number }): string {
  const timestamp = typeof message.timestamp === 'number' && message.timestamp >= 0 ? new Date(message.timestamp).toISOString() : null;
  const line = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp,
    key: keyOf(message.key, decoder),
    headers: headersOf(message.headers),
    value: valueOf(message.value, decoder, counts),
  };
  return JSON.stringify(line, avroJsonReplacer);
}

/**
 * `JSON.stringify` replacer for decoded Avro values: Buffers as strings of
 * characters U+0000–U+00FF (Avro's JSON encoding of bytes), NaN/±Infinity as
 * strings (JSON has no such numbers), bigints as digit strings.
 *
 * @example
 * ```ts
 * JSON.stringify({ b: Buffer.from([0, 255]), x: Number.NaN }, avroJsonReplacer); // '{"b":"\\u0000ÿ","x":"NaN"}'
 * ```
 */
export function avroJsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // Buffer.toJSON has run by now; the holder still has the Buffer itself.
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original)) return original.toString('latin1');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function valueOf(buf: Buffer | null | undefined, decoder: WriterSchemaDecoder, counts: { undecodable: number } | undefined): unknown {
  if (buf === null || buf === undefined) return null;
  const decoded = decoder.decode(buf);
  if (decoded.ok) return decoded.value;
  if (counts) counts.undecodable += 1;
  return { bytes: buf.toString('base64'), error: `${decoded.reason}: ${decoded.message}` };
}

function keyOf(key: Buffer | string | null | undefined, decoder: WriterSchemaDecoder): unknown {
  if (key === null || key === undefined) return null;
  if (typeof key === 'string') return key;
  if (key.length > 0 && key[0] === 0) {
    const decoded = decoder.decode(key);
    if (decoded.ok) return decoded.value;
  }
  return textOrBytes(key);
}

function headersOf(headers: KafkaMessage['headers']): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  let repeated: Set<string> | undefined;
  for (const header of headers ?? []) {
    for (const name of Object.keys(header)) {
      const raw = header[name]!;
      const value = typeof raw === 'string' ? raw : textOrBytes(raw);
      const seen = out[name];
      if (seen === undefined) out[name] = value;
      else if (repeated?.has(name)) (seen as unknown[]).push(value);
      else {
        out[name] = [seen, value];
        (repeated ??= new Set()).add(name);
      }
    }
  }
  return out;
}

function textOrBytes(buf: Buffer): unknown {
  try {
    const text = utf8.decode(buf);
    if (!UNPRINTABLE.test(text)) return text;
  } catch {
    // Not UTF-8: bytes.
  }
  return { bytes: buf.toString('base64') };
}
