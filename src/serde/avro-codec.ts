import type avro from 'avsc';
import type { Codec } from './codec.js';
import type { AvroPayloadGuard } from './avro-payload-guard.js';
import type { AvroSchema } from './avro-schema.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode-limits.js';
import type { DecodeFailureReason, DecodeResult } from './decode-result.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import type { SchemaRegistry } from './schema-registry.js';
import { WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE, writeWireHeader } from './wire-format.js';
import { MAX_UNKNOWN_IDS, WriterSchemaCache } from './writer-schema-cache.js';
import { errorText } from '../error-text.js';

/**
 * Options of {@link AvroCodec}.
 *
 * @example
 * ```ts
 * const options: AvroCodecOptions = { registry, subject: 'bus.telemetry-value', readerSchema };
 * ```
 */
export interface AvroCodecOptions {
  readonly registry: SchemaRegistry;
  /** Subject the reader schema is registered under when this codec writes. */
  readonly subject: string;
  /** The schema values are read as (and written with). */
  readonly readerSchema: AvroSchema;
  readonly limits?: Partial<DecodeLimits>;
}

type Prepared =
  | { readonly ok: true; readonly resolver: avro.Resolver | undefined; readonly guard: AvroPayloadGuard }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly message: string; readonly until: number };

/**
 * Avro serde in the Confluent wire format (magic 0, 4-byte schema id, body).
 *
 * Reading resolves each writer schema into the reader schema, so records
 * written with v1 and v2 are both read as the reader's type (defaults filled
 * in, removed fields dropped). I/O is batch-level: `prepare` fetches the
 * writer schemas a batch needs (once per process per registry), then
 * `decode` is synchronous and never throws for bad bytes.
 *
 * Values: records are objects whose own properties are exactly the fields
 * (their prototype is an avsc class named after the record, without methods:
 * compare with `toEqual`, not `toStrictEqual`); `long` and `timestamp-millis`
 * are numbers (epoch millis); `decimal` an exact string like `"12.50"`; `uuid`
 * a string; `bytes`/`fixed` Buffers; unions with null are `value | null`.
 *
 * @example
 * ```ts
 * const codec = new AvroCodec<BusTelemetry>({ registry, subject: 'bus.telemetry-value', readerSchema });
 * await codec.registerWriter();
 * const bytes = codec.encode({ bus_id: 'b1', speed_kmh: 42.5, timestamp: 1700000000000 });
 * await codec.prepare([bytes]);               // throws RegistryUnavailableError on outage → retry
 * codec.decode(bytes);                        // { ok: true, value: {...}, schemaId: 1 }
 * codec.decode(Buffer.from([1, 2, 3]));       // { ok: false, reason: 'bad-magic', message: ... }
 * ```
 */
export class AvroCodec<T> implements Codec<T> {
  readonly format = 'avro';
  readonly subject: string;
  readonly readerType: avro.Type;
  readonly limits: DecodeLimits;
  private readonly registry: SchemaRegistry;
  private readonly readerSchema: AvroSchema;
  private readonly writers: WriterSchemaCache;
  private readonly prepared = new Map<number, Prepared>();
  private registration: Promise<number> | undefined;
  private writerId: number | undefined;
  private scratch = Buffer.allocUnsafe(4096);
  private readerText: string | undefined;

  constructor(options: AvroCodecOptions) {
    this.registry = options.registry;
    this.subject = options.subject;
    this.readerSchema = options.readerSchema;
    this.readerType = parseAvroSchema(options.readerSchema);
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
    this.writers = WriterSchemaCache.for(options.registry);
  }

  /** The id `encode` writes, once `registerWriter` has resolved. */
  get schemaId(): number | undefined {
    return this.writerId;
  }

  /**
   * Makes every payload of a batch decodable synchronously: fetches the
   * writer schemas not seen yet and builds their resolvers. Payloads without
   * a valid header are ignored here (decode reports them). Rejects with
   * {@link RegistryUnavailableError} on an outage: pause and retry the batch.
   */
  async prepare(buffers: readonly (Buffer | null | undefined)[]): Promise<void> {
    const now = Date.now();
    if (this.prepared.size > MAX_UNKNOWN_IDS) {
      // Garbage ids must not grow memory without bound; real writer schemas are
      // few. Pruned before the scan, so this batch's ids are prepared again.
      for (const [id, entry] of this.prepared) if (!entry.ok) this.prepared.delete(id);
    }
    let missing: Set<number> | undefined;
    for (const buf of buffers) {
      if (!buf || buf.length < WIRE_HEADER_BYTES || buf[0] !== WIRE_MAGIC_BYTE) continue;
      const id = buf.readInt32BE(1);
      const known = this.prepared.get(id);
      if (known && (known.ok || known.until > now)) continue;
      (missing ??= new Set()).add(id);
    }
    if (!missing) return;
    await this.writers.load(missing);
    for (const id of missing) this.prepared.set(id, this.resolve(id, now));
  }

  /**
   * Decodes one payload; `prepare` must have seen its schema id (a programming
   * error otherwise, which throws). Bad bytes never throw: they give
   * `{ ok: false, reason, message }`.
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
      throw new Error(`AvroCodec(${this.subject}): schema id ${id} was not prepared; call prepare() with the batch before decode()`);
    }
    if (!entry.ok) return failure(entry.reason, entry.message);
    if (entry.guard.required) {
      const refused = entry.guard.check(buf, WIRE_HEADER_BYTES, this.limits);
      if (refused) return failure(refused.reason, refused.message);
    }
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.readerType.decode(buf, WIRE_HEADER_BYTES, entry.resolver);
    } catch (err) {
      return failure('corrupt', `invalid Avro body for schema id ${id}: ${errorText(err)}`);
    }
    if (decoded.offset < 0) {
      // The guard names the offending length (a huge declared string reads as too-large).
      const why = entry.guard.check(buf, WIRE_HEADER_BYTES, this.limits);
      return why ? failure(why.reason, why.message) : failure('truncated', `Avro body for schema id ${id} ends early`);
    }
    if (decoded.offset !== buf.length) {
      return failure('corrupt', `${buf.length - decoded.offset} trailing byte(s) after the Avro body (schema id ${id})`);
    }
    return { ok: true, value: decoded.value as T, schemaId: id };
  }

  /**
   * Registers the reader schema under the subject (once per codec; the
   * registry call is idempotent) and returns the id `encode` writes.
   * Rejects with {@link IncompatibleSchemaError} if the subject refuses it.
   */
  registerWriter(): Promise<number> {
    this.registration ??= this.registry.register(this.subject, this.readerSchema).then(
      (id) => (this.writerId = id),
      (err: unknown) => {
        this.registration = undefined; // let a retry after an outage try again
        throw err;
      },
    );
    return this.registration;
  }

  /**
   * Encodes a value: magic byte, schema id, Avro body, in one allocation.
   * Throws a TypeError naming the offending fields if the value does not
   * match the schema, and an Error if `registerWriter` has not resolved.
   */
  encode(value: T): Buffer {
    const id = this.writerId;
    if (id === undefined) throw new Error(`AvroCodec(${this.subject}): call registerWriter() before encode()`);
    // The hook (a closure per call, and a slower walk) is only needed to explain a value that fails.
    if (!this.readerType.isValid(value)) {
      const problems: string[] = [];
      this.readerType.isValid(value, { errorHook: (path: string[], v: unknown, type: avro.Type) => problems.push(describe(path, v, type)) });
      throw new TypeError(`value does not match the schema of '${this.subject}': ${problems.join('; ')}`);
    }
    let end = this.readerType.encode(value, this.scratch, WIRE_HEADER_BYTES);
    if (end < 0) {
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end + WIRE_HEADER_BYTES));
      end = this.readerType.encode(value, this.scratch, WIRE_HEADER_BYTES);
    }
    const out = Buffer.allocUnsafe(end);
    this.scratch.copy(out, 0, 0, end);
    writeWireHeader(out, id);
    return out;
  }

  /** The reader schema's field names when it is a record. */
  fieldNames(): readonly string[] | undefined {
    const type = this.readerType as avro.Type & { readonly fields?: readonly { readonly name: string }[] };
    return type.typeName === 'record' && type.fields ? type.fields.map((f) => f.name) : undefined;
  }

  private resolve(id: number, now: number): Prepared {
    const writer = this.writers.peek(id, now);
    if (writer === undefined || writer.kind === 'unknown') {
      const message = writer?.message ?? `schema id ${id} is not known to the schema registry`;
      return { ok: false, reason: 'unknown-schema', message, until: writer?.until ?? now };
    }
    if (writer.kind === 'invalid') return { ok: false, reason: 'unresolvable', message: writer.message, until: Infinity };
    // Identical schemas (logical types included, unlike avsc's `equals`, which
    // would confuse two decimal scales): read directly, no resolver.
    if (exported(writer.type) === (this.readerText ??= exported(this.readerType))) {
      return { ok: true, resolver: undefined, guard: writer.guard };
    }
    try {
      return { ok: true, resolver: this.readerType.createResolver(writer.type), guard: writer.guard };
    } catch (err) {
      const reason = errorText(err);
      return {
        ok: false, reason: 'unresolvable', until: Infinity,
        message: `writer schema ${id} cannot be read as the reader schema of '${this.subject}': ${reason}`,
      };
    }
  }
}

function exported(type: avro.Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}

function failure(reason: DecodeFailureReason, message: string): DecodeResult<never> {
  return { ok: false, reason, message };
}

function describe(path: string[], value: unknown, type: avro.Type): string {
  const shown = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return `${path.length > 0 ? path.join('.') : '(value)'}: expected ${type.typeName}, got ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}
