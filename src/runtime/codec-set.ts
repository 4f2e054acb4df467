import type { SchemaRef } from '../plan/topology-spec.js';
import {
  AvroCodec, isDocumentRegistry, JsonSchemaCodec, type AvroSchema, type Codec, type SchemaDocument, type SchemaRegistry,
} from '../serde/index.js';

/**
 * Turns a schema reference from a topology (a name like `'bus-telemetry'`
 * or an inline schema) into an Avro schema. The runtime gets one from the
 * CLI or the test driver (which read `schemas/`).
 *
 * One resolver serves both formats: a resolver that also knows JSON Schema
 * files carries `document` (what `loadProjectSchemas` and `schemaResolver`
 * return), and then a source naming a `.schema.json` reads JSON. Called for
 * such a name, the resolver itself throws: state, tables, repartition
 * topics and outputs are Avro. A plain function is an Avro-only resolver.
 *
 * @example
 * ```ts
 * const resolve: SchemaResolver = (ref) => (typeof ref === 'string' ? loadSchemaFile(ref) : ref);
 * const both = (await loadProjectSchemas(dir)).resolve;
 * both.document?.('order'); // { format: 'json', schema: { type: 'object', … } }
 * both('order');            // Error: schema 'order' is a JSON Schema (schemas/order.schema.json); … needs an Avro schema
 * ```
 */
export interface SchemaResolver {
  (ref: SchemaRef): AvroSchema;
  /** The schema with its format (an inline schema is Avro); throws for an unknown name as the resolver does. */
  readonly document?: SchemaDocumentResolver;
}

/**
 * A {@link SchemaResolver} that knows formats: `avro` for the places that
 * need Avro, `document` for sources.
 *
 * @example
 * ```ts
 * const resolve = formatAwareResolver((ref) => avroOf(ref), (ref) => documentOf(ref));
 * resolve.document?.('order').format; // 'json'
 * ```
 */
export function formatAwareResolver(avro: (ref: SchemaRef) => AvroSchema, document: SchemaDocumentResolver): SchemaResolver {
  const resolve = (ref: SchemaRef): AvroSchema => avro(ref);
  return Object.assign(resolve, { document });
}

/**
 * Turns a schema reference into a schema with its format: a name may be a
 * JSON Schema (`schemas/<name>.schema.json`) as well as an Avro one. Given to
 * {@link CodecSet}, it lets {@link CodecSet.input} and {@link CodecSet.output}
 * hand out a JSON Schema codec.
 *
 * @example
 * ```ts
 * const { resolve } = await loadProjectSchemas(projectDir);
 * const resolveDocument: SchemaDocumentResolver | undefined = resolve.document;
 * resolveDocument?.('orders'); // { format: 'json', schema: { type: 'object', … } }
 * ```
 */
export type SchemaDocumentResolver = (ref: SchemaRef) => SchemaDocument;

/**
 * The codecs of one task, one per (subject, schema), created when the task
 * is built; `registerWriters` registers every schema the task writes.
 * `reader`/`writer` are Avro (state, tables and repartition topics are
 * Avro); `input`/`output` follow the schema's format, as `resolveDocument`
 * (by default the resolver's own `document`) says.
 *
 * @example
 * ```ts
 * const codecs = new CodecSet(registry, (await loadProjectSchemas(dir)).resolve);
 * const source = codecs.input('orders-value', 'orders');       // a JsonSchemaCodec when schemas/orders.schema.json
 * const out = codecs.writer('bus.fast-value', 'bus-telemetry'); // an AvroCodec
 * await codecs.registerWriters();
 * out.encode(value);
 * ```
 */
export class CodecSet {
  private readonly avroCodecs = new Map<string, AvroCodec<unknown>>();
  private readonly jsonCodecs = new Map<string, JsonSchemaCodec<unknown>>();
  private readonly writers = new Set<Codec<unknown>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly resolve: SchemaResolver,
    private readonly resolveDocument: SchemaDocumentResolver | undefined = resolve.document,
  ) {}

  /** An Avro codec for reading `subject` as `schema`. */
  reader(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    return this.avro(subject, schema);
  }

  /** An Avro codec for writing `subject` with `schema` (registered by {@link CodecSet.registerWriters}). */
  writer(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    const codec = this.avro(subject, schema);
    this.writers.add(codec);
    return codec;
  }

  /** A codec for reading `subject` as `schema`, in the schema's format. */
  input(subject: string, schema: SchemaRef): Codec<unknown> {
    return this.any(subject, schema);
  }

  /** A codec for writing `subject` with `schema`, in the schema's format (registered by {@link CodecSet.registerWriters}). */
  output(subject: string, schema: SchemaRef): Codec<unknown> {
    const codec = this.any(subject, schema);
    this.writers.add(codec);
    return codec;
  }

  /** Registers every writer schema (idempotent); rejects on incompatibility or outage. */
  async registerWriters(): Promise<void> {
    await Promise.all([...this.writers].map((codec) => codec.registerWriter()));
  }

  private any(subject: string, schema: SchemaRef): Codec<unknown> {
    const document = this.resolveDocument?.(schema);
    if (document === undefined || document.format === 'avro') return this.avro(subject, schema);
    const id = `${subject}\u0000json\u0000${JSON.stringify(document.schema)}`;
    let codec = this.jsonCodecs.get(id);
    if (codec === undefined) {
      const registry = this.registry;
      if (!isDocumentRegistry(registry)) {
        throw new Error(`schema of '${subject}' is a JSON Schema, but the schema registry given to the runtime reads Avro only`);
      }
      codec = new JsonSchemaCodec<unknown>({ registry, subject, readerSchema: document.schema });
      this.jsonCodecs.set(id, codec);
    }
    return codec;
  }

  private avro(subject: string, schema: SchemaRef): AvroCodec<unknown> {
    const resolved = this.resolve(schema);
    const id = `${subject}\u0000${JSON.stringify(resolved)}`;
    let codec = this.avroCodecs.get(id);
    if (codec === undefined) {
      codec = new AvroCodec<unknown>({ registry: this.registry, subject, readerSchema: resolved });
      this.avroCodecs.set(id, codec);
    }
    return codec;
  }
}
