import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TopologyCatalog } from './topology-catalog.js';
import {
  AvroCodec, IncompatibleSchemaError, isDocumentRegistry, JsonSchemaCodec, loadJsonSchemaFile, loadSchemaFile, subjectFor,
  type AvroSchema, type Codec, type DocumentRegistry, type JsonSchema, type SchemaRegistry,
} from '../serde/index.js';

/**
 * The schema `sluice produce` writes with, ready to encode: Avro, or a JSON
 * Schema (`format: 'json'`: lines are written as they are, validated).
 *
 * @example
 * ```ts
 * const { codec, schemaId } = await resolveProduceSchema({ topic: 'orders', schemaArg: undefined, projectDir, registry });
 * codec.encode(value); // <Buffer 00 00 00 00 0e …>: magic byte, schemaId 14, Avro body
 * ```
 */
export type ProduceSchema =
  | (ProduceTarget & { readonly format: 'avro'; readonly schema: AvroSchema })
  | (ProduceTarget & { readonly format: 'json'; readonly schema: JsonSchema });

/**
 * What every {@link ProduceSchema} has, whatever its format.
 *
 * @example
 * ```ts
 * const target: ProduceTarget = await resolveProduceSchema({ topic: 'orders', schemaArg: undefined, projectDir, registry });
 * ```
 */
export interface ProduceTarget {
  readonly codec: Codec<unknown>;
  /** The id every record carries in its Confluent header. */
  readonly schemaId: number;
  /** Where the schema came from, for the summary line: `subject orders-value` or `file schemas/order.avsc, registered under orders-value`. */
  readonly origin: string;
}

/**
 * Resolves `sluice produce`'s `--schema`:
 *
 * - absent: the latest schema under the registry subject `<topic>-value`,
 *   else (nothing registered yet) the `schemas/` file a project topology
 *   reads the topic with, registered as below;
 * - a path to an existing file (relative to the working directory), or
 *   `schemas/<name>.avsc` or `schemas/<name>.schema.json` of the project
 *   (the name a topology's `.source(…, { schema })` uses): that schema
 *   (a `.json` file is a JSON Schema), registered under
 *   `<topic>-value` (a schema the subject's compatibility refuses is an
 *   error naming the fields and the rule);
 * - anything else: the latest schema registered under that subject.
 *
 * An existing subject's schema is used with its id as it is: nothing is
 * registered again.
 *
 * @example
 * ```ts
 * const { schemaId, origin } = await resolveProduceSchema({ topic: 'orders', schemaArg: 'schemas/order.avsc', projectDir, registry });
 * origin; // 'file schemas/order.avsc, registered under orders-value'
 * ```
 */
export async function resolveProduceSchema(options: {
  topic: string;
  schemaArg: string | undefined;
  projectDir: string;
  registry: SchemaRegistry;
  /** Where a relative file path starts; default: the working directory. */
  cwd?: string;
}): Promise<ProduceSchema> {
  const { topic, schemaArg, projectDir, registry } = options;
  const cwd = options.cwd ?? process.cwd();
  const topicSubject = subjectFor(topic, 'value');
  const file = schemaArg === undefined ? undefined : schemaFile(schemaArg, cwd, projectDir);
  if (file !== undefined) {
    const json = file.path.endsWith('.json') ? await loadJsonSchemaFile(file.path) : undefined;
    let target: ProduceSchema;
    if (json !== undefined) {
      target = { format: 'json', schema: json.schema, codec: new JsonSchemaCodec<unknown>({ registry: documentRegistry(registry), subject: topicSubject, readerSchema: json.schema }), schemaId: 0, origin: '' };
    } else {
      const loaded = await loadSchemaFile(file.path);
      target = { format: 'avro', schema: loaded.schema, codec: new AvroCodec<unknown>({ registry, subject: topicSubject, readerSchema: loaded.schema }), schemaId: 0, origin: '' };
    }
    let schemaId: number;
    try {
      schemaId = await target.codec.registerWriter();
    } catch (error) {
      if (error instanceof IncompatibleSchemaError) {
        throw new Error(
          `--schema ${file.shown} cannot be registered under ${topicSubject}: ${error.message}\n` +
            `(records on ${topic} must stay readable with the subject's schemas; change the file, or use --schema ${topicSubject} to write with the registered one)`,
        );
      }
      throw error;
    }
    return { ...target, schemaId, origin: `file ${file.shown}, registered under ${topicSubject}` };
  }
  if (schemaArg !== undefined && /\.(avsc|json)$/i.test(schemaArg)) {
    throw new Error(`--schema ${schemaArg}: no such file (relative paths are taken from ${cwd}); give a .avsc file or a registry subject`);
  }
  const subject = schemaArg ?? topicSubject;
  const latest = isDocumentRegistry(registry)
    ? await registry.getLatestDocument(subject)
    : await registry.getLatest(subject).then((l) => (l === undefined ? undefined : { ...l, document: { format: 'avro' as const, schema: l.schema } }));
  if (latest === undefined && schemaArg === undefined) {
    // Nothing registered yet (no `sluice run` so far): the project's topology reading the topic says which schema it is.
    const declared = await schemaOfSourceTopic(topic, projectDir);
    if (declared !== undefined) return resolveProduceSchema({ ...options, schemaArg: declared });
  }
  if (latest === undefined) {
    throw new Error(
      schemaArg === undefined
        ? `topic ${topic} has no schema: nothing is registered under the subject ${topicSubject}; ` +
            `pass --schema <file.avsc> (registered under ${topicSubject}) or --schema <subject> (sluice schemas register registers a project's schemas)`
        : `--schema ${schemaArg}: no such file, no schemas/${schemaArg}.avsc, and nothing is registered under the subject '${schemaArg}'`,
    );
  }
  const origin = `subject ${subject} (version ${latest.version})`;
  const { document } = latest;
  if (document.format === 'json') {
    // Pinned to the subject's id, as below.
    const pinned: DocumentRegistry = { ...documentRegistry(registry), registerDocument: async () => latest.id };
    const codec = new JsonSchemaCodec<unknown>({ registry: pinned, subject, readerSchema: document.schema });
    return { format: 'json', codec, schema: document.schema, schemaId: await codec.registerWriter(), origin };
  }
  // Pinned to the subject's id: registering the fetched schema again could add a version where its text differs.
  const pinned: SchemaRegistry = {
    register: async () => latest.id,
    getSchemaById: (id) => registry.getSchemaById(id),
    getLatest: (s) => registry.getLatest(s),
    testCompatibility: (s, schema) => registry.testCompatibility(s, schema),
    getCompatibility: (s) => registry.getCompatibility(s),
    setCompatibility: (level, s) => registry.setCompatibility(level, s),
  };
  const codec = new AvroCodec<unknown>({ registry: pinned, subject, readerSchema: document.schema });
  const schemaId = await codec.registerWriter();
  return { format: 'avro', codec, schema: document.schema, schemaId, origin };
}

function documentRegistry(registry: SchemaRegistry): DocumentRegistry {
  if (!isDocumentRegistry(registry)) throw new Error('this schema registry client reads Avro only, and the schema is a JSON Schema');
  return {
    registerDocument: (subject, document) => registry.registerDocument(subject, document),
    getDocumentById: (id) => registry.getDocumentById(id),
    getLatestDocument: (subject) => registry.getLatestDocument(subject),
    testDocumentCompatibility: (subject, document) => registry.testDocumentCompatibility(subject, document),
  };
}

function schemaFile(arg: string, cwd: string, projectDir: string): { path: string; shown: string } | undefined {
  const direct = resolve(cwd, arg);
  if (isFile(direct)) return { path: direct, shown: arg };
  if (!/[/\\]/.test(arg) && !arg.endsWith('.avsc')) {
    for (const file of [`${arg}.avsc`, `${arg}.schema.json`]) {
      const named = join(projectDir, 'schemas', file);
      if (isFile(named)) return { path: named, shown: `schemas/${file}` };
    }
  }
  return undefined;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The schema name a project topology gives `topic` as a source, when it is a `schemas/` file. */
async function schemaOfSourceTopic(topic: string, projectDir: string): Promise<string | undefined> {
  const catalog = new TopologyCatalog(projectDir);
  for (const name of catalog.names()) {
    let plan;
    try {
      plan = await catalog.plan(name);
    } catch {
      continue; // a broken topology is `sluice list`'s to report, not produce's
    }
    for (const root of plan.subTopologies.flatMap((s) => s.sources)) {
      if (root.kind !== 'SourceNode' || root.topic !== topic || typeof root.schema !== 'string') continue;
      const name = root.schema;
      if ([`${name}.avsc`, `${name}.schema.json`].some((file) => isFile(join(projectDir, 'schemas', file)))) return name;
    }
  }
  return undefined;
}
