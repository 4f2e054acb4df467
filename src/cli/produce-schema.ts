import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TopologyCatalog } from './topology-catalog.js';
import { AvroCodec, IncompatibleSchemaError, loadSchemaFile, subjectFor, type AvroSchema, type SchemaRegistry } from '../serde/index.js';

/**
 * The schema `sluice produce` writes with, ready to encode.
 *
 * @example
 * ```ts
 * const { codec, schemaId } = await resolveProduceSchema({ topic: 'orders', schemaArg: undefined, projectDir, registry });
 * codec.encode(value); // <Buffer 00 00 00 00 0e …>: magic byte, schemaId 14, Avro body
 * ```
 */
export interface ProduceSchema {
  readonly codec: AvroCodec<unknown>;
  readonly schema: AvroSchema;
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
 *   `schemas/<name>.avsc` of the project (the name a topology's
 *   `.source(…, { schema })` uses): that schema, registered under
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
    const loaded = await loadSchemaFile(file.path);
    const codec = new AvroCodec<unknown>({ registry, subject: topicSubject, readerSchema: loaded.schema });
    let schemaId: number;
    try {
      schemaId = await codec.registerWriter();
    } catch (error) {
      if (error instanceof IncompatibleSchemaError) {
        throw new Error(
          `--schema ${file.shown} cannot be registered under ${topicSubject}: ${error.message}\n` +
            `(records on ${topic} must stay readable with the subject's schemas; change the file, or use --schema ${topicSubject} to write with the registered one)`,
        );
      }
      throw error;
    }
    return { codec, schema: loaded.schema, schemaId, origin: `file ${file.shown}, registered under ${topicSubject}` };
  }
  if (schemaArg !== undefined && /\.(avsc|json)$/i.test(schemaArg)) {
    throw new Error(`--schema ${schemaArg}: no such file (relative paths are taken from ${cwd}); give a .avsc file or a registry subject`);
  }
  const subject = schemaArg ?? topicSubject;
  const latest = await registry.getLatest(subject);
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
  // Pinned to the subject's id: registering the fetched schema again could add a version where its text differs.
  const pinned: SchemaRegistry = {
    register: async () => latest.id,
    getSchemaById: (id) => registry.getSchemaById(id),
    getLatest: (s) => registry.getLatest(s),
    testCompatibility: (s, schema) => registry.testCompatibility(s, schema),
    getCompatibility: (s) => registry.getCompatibility(s),
    setCompatibility: (level, s) => registry.setCompatibility(level, s),
  };
  const codec = new AvroCodec<unknown>({ registry: pinned, subject, readerSchema: latest.schema });
  const schemaId = await codec.registerWriter();
  return { codec, schema: latest.schema, schemaId, origin: `subject ${subject} (version ${latest.version})` };
}

function schemaFile(arg: string, cwd: string, projectDir: string): { path: string; shown: string } | undefined {
  const direct = resolve(cwd, arg);
  if (isFile(direct)) return { path: direct, shown: arg };
  if (!/[/\\]/.test(arg) && !arg.endsWith('.avsc')) {
    const named = join(projectDir, 'schemas', `${arg}.avsc`);
    if (isFile(named)) return { path: named, shown: `schemas/${arg}.avsc` };
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
      if (root.kind === 'SourceNode' && root.topic === topic && typeof root.schema === 'string' && isFile(join(projectDir, 'schemas', `${root.schema}.avsc`))) {
        return root.schema;
      }
    }
  }
  return undefined;
}
