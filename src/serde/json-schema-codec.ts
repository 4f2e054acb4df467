import type { Codec } from './codec.js';
import { compileJsonSchema, type JsonSchemaCheck } from './compile-json-schema.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode-limits.js';
import type { DecodeFailureReason, DecodeResult } from './decode-result.js';
import type { DocumentRegistry } from './document-registry.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import type { JsonSchema } from './schema-document.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';
import { WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE, writeWireHeader } from './wire-format.js';
import { MAX_UNKNOWN_IDS, UNKNOWN_ID_RETRY_MS } from './writer-schema-cache.js';
import { errorText } from '../error-text.js';

/**
 * Options of {@link JsonSchemaCodec}.
 *
 * @example
 * ```ts
 * const options: JsonSchemaCodecOptions = { registry, subject: 'orders-value', readerSchema: orderSchema };
 * ```
 */
export interface JsonSchemaCodecOptions {
  readonly registry: DocumentRegistry;
  /** Subject the reader schema is registered under when this codec writes. */
  readonly subject: string;
  /** The schema every value read must satisfy (and every value written). */
  readonly readerSchema: JsonSchema;
  readonly limits?: Partial<DecodeLimits>;
}

type Prepared =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly message: string; readonly until: number };

/** Registry requests in flight per batch: a batch of garbage ids must not flood the registry. */
const MAX_CONCURRENT_FETCHES = 8;

/**
 * JSON Schema serde in the Confluent wire format: magic byte 0, the 4-byte
 * id of a `schemaType: "JSON"` schema, then the value as UTF-8 JSON — what
 * Confluent's `KafkaJsonSchemaSerializer` and `@kafkajs/confluent-schema-registry`
 * write.
 *
 * Every value read is validated against the codec's reader schema (ajv;
 * draft-07, 2019-09 or 2020-12 by its `$schema`), whichever JSON schema
 * wrote it: a value it refuses is `{ ok: false, reason: 'invalid' }` with
 * the failing path, and goes to the dead-letter topic like an undecodable
 * Avro record. A payload whose id is an Avro schema is `unresolvable`.
 *
 * @example
 * ```ts
 * const codec = new JsonSchemaCodec<Order>({ registry, subject: 'orders-value', readerSchema: orderSchema });
 * await codec.registerWriter();
 * const bytes = codec.encode({ order_id: 'o-1', amount: 12.5 }); // <Buffer 00 00 00 00 07 7b 22 6f …>
 * await codec.prepare([bytes]);
 * codec.decode(bytes);                     // { ok: true, value: { order_id: 'o-1', amount: 12.5 }, schemaId: 7 }
 * codec.decode(withBody('{"order_id":1}')); // { ok: false, reason: 'invalid', message: "… order_id: must be string" }
 * ```
 */
export class JsonSchemaCodec<T> implements Codec<T> {
  readonly format = 'json';
  readonly subject: string;
  readonly limits: DecodeLimits;
  private readonly registry: DocumentRegistry;
  private readonly readerSchema: JsonSchema;
  private readonly check: JsonSchemaCheck;
  private readonly prepared = new Map<number, Prepared>();
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private registration: Promise<number> | undefined;
  private writerId: number | undefined;

  constructor(options: JsonSchemaCodecOptions) {
    this.registry = options.registry;
    this.subject = options.subject;
    this.readerSchema = options.readerSchema;
    try {
      this.check = compileJsonSchema(options.readerSchema);
    } catch (err) {
      throw new InvalidSchemaError(`the reader schema of '${options.subject}'`, errorText(err), 'json');
    }
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  }

  /** The id `encode` writes, once `registerWriter` has resolved. */
  get schemaId(): number | undefined {
    return this.writerId;
  }

  /**
   * Looks up the schema ids of a batch not seen yet (is each a JSON schema
   * the registry knows?). Payloads without a valid header are left to
   * `decode`. Rejects with `RegistryUnavailableError` on an outage: retry the batch.
   */
  async prepare(buffers: readonly (Buffer | null | undefined)[]): Promise<void> {
    const now = Date.now();
    if (this.prepared.size > MAX_UNKNOWN_IDS) {
      for (const [id, entry] of this.prepared) if (!entry.ok) this.prepared.delete(id);
    }
    const missing = new Set<number>();
    for (const buf of buffers) {
      if (!buf || buf.length < WIRE_HEADER_BYTES || buf[0] !== WIRE_MAGIC_BYTE) continue;
      const id = buf.readInt32BE(1);
      const known = this.prepared.get(id);
      if (!known || (!known.ok && known.until <= now)) missing.add(id);
    }
    if (missing.size === 0) return;
    const queue = [...missing];
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) this.prepared.set(id, await this.lookUp(id));
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_FETCHES, queue.length) }, worker));
  }

  /**
   * Decodes and validates one payload; `prepare` must have seen its schema
   * id (a programming error otherwise, which throws). Bad bytes never throw.
   */
  decode(buf: Buffer | null | undefined): DecodeResult<T> {
    if (!buf || buf.length === 0) return failure('truncated', 'empty payload (null value or tombstone)');
    if (buf.length > this.limits.maxRecordBytes) {
      return failure('too-large', `payload of ${buf.length} bytes is over the ${this.limits.maxRecordBytes}-byte limit`);
    }
    if (buf[0] !== WIRE_MAGIC_BYTE) {
      return failure('bad-magic', `first byte is 0x${(buf[0] ?? 0).toString(16).padStart(2, '0')}, expected 0x00 (Confluent wire format)`);
    }
    if (buf.length < WIRE_HEADER_BYTES) return failure('truncated', `payload of ${buf.length} bytes is shorter than the 5-byte header`);
    const id = buf.readInt32BE(1);
    const entry = this.prepared.get(id);
    if (entry === undefined) {
      throw new Error(`JsonSchemaCodec(${this.subject}): schema id ${id} was not prepared; call prepare() with the batch before decode()`);
    }
    if (!entry.ok) return failure(entry.reason, entry.message);
    let value: unknown;
    try {
      value = JSON.parse(this.utf8.decode(buf.subarray(WIRE_HEADER_BYTES)));
    } catch (err) {
      return failure('corrupt', `body for schema id ${id} is not UTF-8 JSON: ${errorText(err)}`);
    }
    const refused = this.check(value);
    if (refused !== undefined) return failure('invalid', `does not match the JSON Schema of '${this.subject}': ${refused}`);
    return { ok: true, value: value as T, schemaId: id };
  }

  /**
   * Registers the reader schema under the subject with `schemaType: "JSON"`
   * (once per codec) and returns the id `encode` writes. Rejects with
   * `IncompatibleSchemaError` when the subject refuses it.
   */
  registerWriter(): Promise<number> {
    this.registration ??= this.registry.registerDocument(this.subject, { format: 'json', schema: this.readerSchema }).then(
      (id) => (this.writerId = id),
      (err: unknown) => {
        this.registration = undefined; // let a retry after an outage try again
        throw err;
      },
    );
    return this.registration;
  }

  /**
   * Encodes a value: magic byte, schema id, UTF-8 JSON, in one allocation.
   * Throws a TypeError naming the failing path when the value does not
   * satisfy the schema, and an Error if `registerWriter` has not resolved.
   */
  encode(value: T): Buffer {
    const id = this.writerId;
    if (id === undefined) throw new Error(`JsonSchemaCodec(${this.subject}): call registerWriter() before encode()`);
    const refused = this.check(value);
    if (refused !== undefined) throw new TypeError(`value does not match the JSON Schema of '${this.subject}': ${refused}`);
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`value of '${this.subject}' has no JSON form (${typeof value})`);
    const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + Buffer.byteLength(text));
    out.write(text, WIRE_HEADER_BYTES, 'utf8');
    writeWireHeader(out, id);
    return out;
  }

  /** The reader schema's top-level `properties`, when it describes an object. */
  fieldNames(): readonly string[] | undefined {
    const props = this.readerSchema.properties;
    return props !== null && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : undefined;
  }

  private async lookUp(id: number): Promise<Prepared> {
    if (id < 0) return { ok: false, reason: 'unknown-schema', message: `schema id ${id} is not a valid id`, until: Infinity };
    try {
      const writer = await this.registry.getDocumentById(id);
      if (writer.format === 'json') return { ok: true };
      return {
        ok: false, reason: 'unresolvable', until: Infinity,
        message: `schema id ${id} is an Avro schema; '${this.subject}' is read as JSON Schema`,
      };
    } catch (err) {
      if (err instanceof UnknownSchemaIdError) {
        return { ok: false, reason: 'unknown-schema', message: err.message, until: Date.now() + UNKNOWN_ID_RETRY_MS };
      }
      if (err instanceof InvalidSchemaError) return { ok: false, reason: 'unresolvable', message: err.message, until: Infinity };
      throw err;
    }
  }
}

function failure(reason: DecodeFailureReason, message: string): DecodeResult<never> {
  return { ok: false, reason, message };
}
