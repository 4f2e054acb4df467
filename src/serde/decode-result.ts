/**
 * Why a payload could not be decoded; each becomes a DLQ reason.
 *
 * - `bad-magic`: first byte is not 0 (not Confluent wire format);
 * - `truncated`: shorter than its header or than its body declares;
 * - `corrupt`: body bytes that are not valid for the writer schema
 *   (bad union/enum index, negative length, trailing bytes, ...);
 * - `unknown-schema`: the registry does not know the schema id (40403);
 * - `unresolvable`: the writer schema cannot be read as the reader schema;
 * - `too-large`: over `maxRecordBytes`, or declared lengths/counts over the limits;
 * - `invalid`: a JSON value that does not satisfy the reader's JSON Schema
 *   (Avro bodies that break their schema are `corrupt`).
 *
 * @example
 * ```ts
 * const reason: DecodeFailureReason = 'unknown-schema';
 * ```
 */
export type DecodeFailureReason =
  | 'bad-magic'
  | 'truncated'
  | 'corrupt'
  | 'unknown-schema'
  | 'unresolvable'
  | 'too-large'
  | 'invalid';

/**
 * Outcome of decoding one payload; decoding never throws for bad bytes.
 *
 * @example
 * ```ts
 * const result = codec.decode(message.value);
 * if (result.ok) handle(result.value);
 * else deadLetter(message, result.reason, result.message);
 * ```
 */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T; readonly schemaId: number }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly message: string };
