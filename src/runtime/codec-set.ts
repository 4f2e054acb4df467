import type { SchemaRef } from '../plan/topology-spec.js';
import { AvroCodec, type AvroSchema, type SchemaRegistry } from '../serde/index.js';

/**
 * Turns a schema reference from a topology (a name like `'bus-telemetry'`
 * or an inline schema) into an Avro schema. The runtime gets one from the
 * CLI or the test driver (which read `schemas/<name>.avsc`).
 *
 * @example
 * ```ts
 * const resolve: SchemaResolver = (ref) => (typeof ref === 'string' ? loadSchemaFile(ref) : ref);
 * ```
 */
export type SchemaResolver = (ref: SchemaRef) => AvroSchema;

/**
 * The Avro codecs of one task, one per (subject, schema), created when the
 * task is built; `registerWriters` registers every schema the task writes.
 *
 * @example
 * ```ts
 * const codecs = new CodecSet(registry, resolve);
 * const out = codecs.writer('bus.fast-value', 'bus-telemetry');
 * await codecs.registerWriters();
 * out.encode(value);
 * ```
 */
export class CodecSet {
  private readonly codecs = new Map<string, AvroCodec<unknown>>();
  private readonly writers = new Set<AvroCodec<unknown>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly resolve: SchemaResolver,
  ) {}

  /** A codec for reading `subject` as `schema`. */
  reader(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    return this.codec(subject, schema);
  }

  /** A codec for writing `subject` with `schema` (registered by {@link CodecSet.registerWriters}). */
  writer(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    const codec = this.codec(subject, schema);
    this.writers.add(codec);
    return codec;
  }

  /** Registers every writer schema (idempotent); rejects on incompatibility or outage. */
  async registerWriters(): Promise<void> {
    await Promise.all([...this.writers].map((codec) => codec.registerWriter()));
  }

  private codec(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    const resolved = this.resolve(schema);
    const id = `${subject}\u0000${JSON.stringify(resolved)}`;
    let codec = this.codecs.get(id);
    if (codec === undefined) {
      codec = new AvroCodec<unknown>({ registry: this.registry, subject, readerSchema: resolved });
      this.codecs.set(id, codec);
    }
    return codec;
  }
}
