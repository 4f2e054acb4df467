import { basename, join } from 'node:path';
import type { PlanNode } from '../plan/plan-node.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaRef } from '../plan/topology-spec.js';
import { formatAwareResolver, type SchemaResolver } from '../runtime/codec-set.js';
import { jsonWhereAvroNeeded } from '../runtime/schema-resolver.js';
import { loadSchemaFiles, type LoadedSchemaFile, type SchemaDocument } from '../serde/index.js';

/**
 * The schema files of a project's `schemas/` folder (`.avsc`, and JSON
 * Schemas in `.schema.json`), and the resolver `sluice run` gives its
 * runners: a topology names a schema by file name (`schema: 'bus-telemetry'`
 * is `schemas/bus-telemetry.avsc`, `schema: 'order'` may be
 * `schemas/order.schema.json`).
 *
 * @example
 * ```ts
 * const schemas = await loadProjectSchemas(process.cwd());
 * schemas.names;                      // ['bus-telemetry', 'events', 'order']
 * schemas.resolve('bus-telemetry');    // the parsed schemas/bus-telemetry.avsc
 * schemas.resolve.document?.('order'); // { format: 'json', schema: … } (schemas/order.schema.json)
 * schemas.resolve('order');            // Error: schema 'order' is a JSON Schema (schemas/order.schema.json), and only a source reads JSON: …
 * ```
 */
export interface ProjectSchemas {
  /** The folder's path as users write it (`schemas`), for messages. */
  readonly dir: string;
  /** Schema names (file names without `.avsc` / `.schema.json`), sorted. */
  readonly names: readonly string[];
  /** The loaded files by name, with their format and path. */
  readonly files: ReadonlyMap<string, LoadedSchemaFile>;
  /**
   * Inline schemas as they are; names from the folder; an unknown name throws
   * naming the missing file. Knows formats (`resolve.document`); as an Avro
   * resolver it refuses a JSON Schema name with the fix.
   */
  readonly resolve: SchemaResolver;
}

/**
 * Loads `<projectDir>/schemas/` — `*.avsc` and JSON Schema files — (a missing
 * folder is no schemas: a project may declare every schema inline; a broken
 * file is an error naming it).
 *
 * @example
 * ```ts
 * const { resolve } = await loadProjectSchemas('/app');
 * ```
 */
export async function loadProjectSchemas(projectDir: string, dirName = 'schemas'): Promise<ProjectSchemas> {
  const files = new Map<string, LoadedSchemaFile>();
  try {
    for (const loaded of await loadSchemaFiles(join(projectDir, dirName))) files.set(loaded.name, loaded);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('cannot read schema directory'))) throw error;
  }
  const names = [...files.keys()].sort();
  const document = (ref: SchemaRef): SchemaDocument => {
    if (typeof ref !== 'string') return { format: 'avro', schema: ref };
    const file = files.get(ref);
    if (file === undefined) throw new Error(`schema '${ref}' is unknown: ${dirName}/${ref}.avsc does not exist, nor ${dirName}/${ref}.schema.json (${known(names)})`);
    return file.format === 'json' ? { format: 'json', schema: file.schema } : { format: 'avro', schema: file.schema };
  };
  return {
    dir: dirName,
    names,
    files,
    resolve: formatAwareResolver((ref) => {
      const found = document(ref);
      if (found.format === 'avro') return found.schema;
      const path = typeof ref === 'string' ? files.get(ref)?.path : undefined;
      throw new Error(jsonWhereAvroNeeded(String(ref), path === undefined ? undefined : `${dirName}/${basename(path)}`));
    }, document),
  };
}

/**
 * Checks that every schema a topology names by file exists, before it runs:
 * a missing one is an error naming the topology file, the source or step
 * that uses it, the missing path and the fix. A JSON Schema named anywhere
 * but a source is an error too: what Sluice writes (outputs, repartition
 * topics, tables, state) is Avro.
 *
 * @example
 * ```ts
 * checkSchemaFiles(plan, 'topologies/orders.ts', await loadProjectSchemas(dir));
 * // Error: topologies/orders.ts: source 'orders' uses schema 'order', but schemas/order.avsc does not exist (known: ping).
 * //        Add schemas/order.avsc (an Avro schema), or for a source schemas/<name>.schema.json (a JSON Schema), …
 * // Error: topologies/orders.ts: step 'by-customer' writes its records to a repartition topic with schema 'order', a JSON Schema (schemas/order.schema.json) …
 * ```
 */
export function checkSchemaFiles(plan: TopologyPlan, file: string, schemas: Pick<ProjectSchemas, 'dir' | 'names'> & { readonly files?: ProjectSchemas['files'] }): void {
  const have = new Set(schemas.names);
  const problems: string[] = [];
  const jsonProblems: string[] = [];
  const seen = new Set<string>();
  const report = (where: string, ref: unknown, avroOnly: boolean): void => {
    if (typeof ref !== 'string') return;
    const found = schemas.files?.get(ref);
    if (avroOnly && found?.format === 'json') {
      jsonProblems.push(`${where} uses schema '${ref}', a JSON Schema (${schemas.dir}/${basename(found.path)}), where Sluice writes Avro`);
      return;
    }
    if (have.has(ref) || seen.has(ref)) return;
    seen.add(ref);
    problems.push(`${where} uses schema '${ref}', but ${schemas.dir}/${ref}.avsc does not exist`);
  };
  const visit = (node: PlanNode): void => {
    switch (node.kind) {
      case 'SourceNode':
        report(`source '${node.topic}'`, node.schema, false);
        break;
      case 'StreamSinkNode':
        report(`output '${node.topic}' (step '${node.name}')`, node.schema, true);
        break;
      case 'TrackNode':
        report(`step '${node.name}' (its state)`, node.schema, true);
        break;
      case 'RepartitionSinkNode':
        report(`step '${node.name}' (its repartition topic)`, node.schema, true);
        break;
      case 'RepartitionSourceNode':
        report(`step '${node.name}'`, node.schema, true);
        break;
      case 'TableSinkNode':
        report(`table '${node.topic}'`, node.valueSchema, true);
        break;
      default:
        break;
    }
    for (const next of node.next) visit(next);
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) visit(source);
  if (problems.length > 0) {
    const missing = [...seen].map((ref) => `${schemas.dir}/${ref}.avsc`).join(', ');
    throw new Error(
      `${file}: ${problems.join('; ')} (${known(schemas.names)}). ` +
        `Add ${missing} (an Avro schema), or for a source ${schemas.dir}/<name>.schema.json (a JSON Schema), or name an existing file in the topology, ` +
        "or give the schema inline ({ schema: { type: 'record', … } })",
    );
  }
  if (jsonProblems.length > 0) {
    throw new Error(
      `${file}: ${[...new Set(jsonProblems)].join('; ')}. Only a source reads JSON; outputs, repartition topics, tables and state are Avro. ` +
        "Pass an Avro schema to the step that writes these records (a groupBy after a JSON source: .groupBy(name, field, { schema: { type: 'record', … } }); .to(topic, { schema }))",
    );
  }
}

function known(names: readonly string[]): string {
  return names.length > 0 ? `known: ${names.join(', ')}` : 'no schema files there';
}
