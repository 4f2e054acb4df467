import type { DecodeResult } from './decode-result.js';

/**
 * The formats a {@link Codec} reads and writes; each is a `schemaType` of a
 * Confluent-compatible registry (`AVRO`, `JSON`).
 *
 * @example
 * ```ts
 * const format: SchemaFormat = 'json';
 * ```
 */
export type SchemaFormat = 'avro' | 'json';

/**
 * What the runtime needs from a serde, whatever the format: values in the
 * Confluent wire format (magic byte 0, 4-byte schema id, body), writer
 * schemas fetched per batch, a synchronous decode that never throws for bad
 * bytes, and an encode with the codec's own registered schema.
 *
 * Implemented by {@link AvroCodec} and {@link JsonSchemaCodec}.
 *
 * @example
 * ```ts
 * const codec: Codec<Order> = new JsonSchemaCodec({ registry, subject: 'orders-value', readerSchema });
 * await codec.registerWriter();
 * const bytes = codec.encode({ order_id: 'o-1', amount: 12.5 });
 * await codec.prepare([bytes]);
 * codec.decode(bytes);          // { ok: true, value: { order_id: 'o-1', amount: 12.5 }, schemaId: 7 }
 * codec.fieldNames();           // ['order_id', 'amount']
 * ```
 */
export interface Codec<T> {
  readonly format: SchemaFormat;
  /** The subject the codec's schema is registered under when it writes. */
  readonly subject: string;
  /** The id `encode` writes, once {@link Codec.registerWriter} has resolved. */
  readonly schemaId: number | undefined;
  /**
   * Fetches the writer schemas a batch needs, so `decode` can be
   * synchronous. Rejects with `RegistryUnavailableError` on an outage: retry the batch.
   */
  prepare(buffers: readonly (Buffer | null | undefined)[]): Promise<void>;
  /** Decodes one payload `prepare` has seen; bad bytes give `{ ok: false, reason, message }`. */
  decode(buf: Buffer | null | undefined): DecodeResult<T>;
  /** Registers the codec's schema under its subject (idempotent); rejects with `IncompatibleSchemaError` when refused. */
  registerWriter(): Promise<number>;
  /** The wire-format bytes of a value; throws a TypeError naming what does not fit the schema. */
  encode(value: T): Buffer;
  /** The top-level field names of a record (object) schema, for load-time checks; `undefined` for other schemas. */
  fieldNames(): readonly string[] | undefined;
}
