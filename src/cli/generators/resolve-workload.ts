import { join, relative } from 'node:path';
import { subjectFor, type AvroSchema, type SchemaRegistry } from '../../serde/index.js';
import { loadProjectSchemas } from '../project-schemas.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { generationTargets } from './generation-target.js';
import { loadGeneratorConfig } from './generator-config.js';
import { schemaWorkload, type SchemaSource } from './schema-generator.js';
import { findWorkload, loadWorkloads, UnknownWorkloadError, type AnyWorkload } from './workload-catalog.js';

/** Partitions of a source topic the schema-driven generator creates, unless the config says otherwise. */
export const DEFAULT_PARTITIONS = 3;

/**
 * A workload ready to produce: the records, the schema each topic is
 * written with, and what to tell the user about it.
 *
 * @example
 * ```ts
 * const r = await resolveWorkload('parking-occupancy', { projectDir, registry });
 * r.kind;                              // 'schema'
 * r.readerSchemas.get('parking.events'); // the parsed schemas/parking-event.avsc
 * ```
 */
export interface ResolvedWorkload {
  /** `hand-written`: one of the project's `workloads/`; `schema`: made from the topology's plan and source schemas. */
  readonly kind: 'hand-written' | 'schema';
  readonly workload: AnyWorkload;
  readonly readerSchemas: ReadonlyMap<string, AvroSchema>;
  /** How each field is filled, what invalid and late mean (schema-driven only). */
  readonly notes: readonly string[];
}

/**
 * Options of {@link resolveWorkload}.
 *
 * @example
 * ```ts
 * const o: ResolveWorkloadOptions = { projectDir: '/app', registry, config: 'parking.generate.json' };
 * ```
 */
export interface ResolveWorkloadOptions {
  readonly projectDir: string;
  /** Asked for a source schema only when `schemas/` has no file for it. */
  readonly registry: Pick<SchemaRegistry, 'getLatest'>;
  /** A generate config file (absolute, or relative to the working directory); default `topologies/<name>.generate.json` when present. */
  readonly config?: string;
}

/**
 * The hand-written workload named `name` (or feeding topology `name`; a
 * `config` is then ignored), else a schema-driven one for the project's
 * topology `name`. An unknown name is an {@link UnknownWorkloadError}
 * listing both kinds.
 *
 * @example
 * ```ts
 * (await resolveWorkload('order-analytics', options)).workload.name; // 'order-events' (hand-written)
 * (await resolveWorkload('parking-occupancy', options)).kind;        // 'schema'
 * ```
 */
export async function resolveWorkload(name: string, options: ResolveWorkloadOptions): Promise<ResolvedWorkload> {
  const catalog = new TopologyCatalog(options.projectDir);
  const workloads = await loadWorkloads(options.projectDir);
  let handWritten: AnyWorkload | undefined;
  try {
    handWritten = findWorkload(name, workloads);
  } catch (error) {
    if (!(error instanceof UnknownWorkloadError)) throw error;
  }
  const schemas = await loadProjectSchemas(options.projectDir);
  if (handWritten !== undefined) {
    const readerSchemas = new Map<string, AvroSchema>();
    for (const topic of handWritten.topics) {
      if (!schemas.names.includes(topic.schema)) throw new Error(`generator ${handWritten.name} needs schemas/${topic.schema}.avsc for topic ${topic.name}`);
      readerSchemas.set(topic.name, schemas.resolve(topic.schema) as AvroSchema);
    }
    return { kind: 'hand-written', workload: handWritten, readerSchemas, notes: [] };
  }
  const topologies = catalog.names();
  if (!topologies.includes(name)) throw new UnknownWorkloadError(unknownMessage(name, topologies, workloads));
  const configFile = options.config ?? join(catalog.dir, `${name}.generate.json`);
  const shown = options.config ?? relative(options.projectDir, configFile);
  const config = await loadGeneratorConfig(configFile, { required: options.config !== undefined, shown });
  const plan = await catalog.plan(name);
  const sources: SchemaSource[] = [];
  for (const target of generationTargets(plan)) {
    const partitions = config.partitions ?? DEFAULT_PARTITIONS;
    const ref = target.schema;
    if (typeof ref !== 'string') {
      sources.push({ target, schema: ref, schemaLabel: 'an inline schema', partitions });
    } else if (schemas.files.get(ref)?.format === 'json') {
      throw new Error(
        `topology '${name}' reads '${target.topic}' with schema '${ref}', a JSON Schema: sluice generate draws records from Avro schemas only; ` +
          'write a hand-written generator for it, or feed it JSON lines with sluice produce',
      );
    } else if (schemas.names.includes(ref)) {
      sources.push({ target, schema: schemas.resolve(ref) as AvroSchema, schemaLabel: `${schemas.dir}/${ref}.avsc`, partitions });
    } else {
      const subject = subjectFor(target.topic, 'value');
      const latest = await options.registry.getLatest(subject);
      if (latest === undefined) {
        throw new Error(
          `topology '${name}' reads '${target.topic}' with schema '${ref}', but ${schemas.dir}/${ref}.avsc does not exist and the registry has no subject ${subject}: ` +
            `add ${schemas.dir}/${ref}.avsc (an Avro schema) or register it (sluice schemas register)`,
        );
      }
      sources.push({ target, schema: latest.schema, schemaLabel: `registry subject ${subject} (version ${latest.version})`, partitions });
    }
  }
  const workload = schemaWorkload(name, sources, config);
  const readerSchemas = new Map(sources.map((s) => [s.target.topic, s.schema]));
  const configNote = config.file === undefined ? `no generate config (${shown} would give field rules)` : `generate config: ${config.file}`;
  return { kind: 'schema', workload, readerSchemas, notes: [`no hand-written generator for ${name}: records come from its source schemas; ${configNote}`, ...workload.describe()] };
}

/**
 * The message for a name that is neither a generator nor a topology.
 *
 * @example
 * ```ts
 * unknownMessage('buses', ['parking-occupancy'], workloads);
 * // 'no generator or topology named "buses" — generators: bus-telemetry, …; topologies in topologies/: parking-occupancy. …'
 * ```
 */
export function unknownMessage(name: string, topologies: readonly string[], workloads: readonly AnyWorkload[]): string {
  const generators = [...new Set(workloads.flatMap((w) => [w.name, ...w.topologies]))].sort();
  return (
    `no generator or topology named "${name}" — generators: ${generators.join(', ')}; ` +
    `topologies in topologies/: ${topologies.length > 0 ? topologies.join(', ') : '(none)'}. ` +
    `For a topology of your own (topologies/<name>.ts), sluice generate <name> makes records from its source schemas`
  );
}
