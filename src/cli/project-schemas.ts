import { join } from 'node:path';
import type { PlanNode } from '../plan/plan-node.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaResolver } from '../runtime/codec-set.js';
import { loadSchemas, type AvroSchema } from '../serde/index.js';

/**
 * The `.avsc` files of a project's `schemas/` folder, and the resolver
 * `sluice run` gives its runners: a topology names a schema by file name
 * (`schema: 'bus-telemetry'` is `schemas/bus-telemetry.avsc`).
 *
 * @example
 * ```ts
 * const schemas = await loadProjectSchemas(process.cwd());
 * schemas.names;                   // ['bus-telemetry', 'events']
 * schemas.resolve('bus-telemetry'); // the parsed schemas/bus-telemetry.avsc
 * ```
 */
export interface ProjectSchemas {
  /** The folder's path as users write it (`schemas`), for messages. */
  readonly dir: string;
  /** File names without `.avsc`, sorted. */
  readonly names: readonly string[];
  /** Inline schemas as they are; names from the folder; an unknown name throws naming the missing file. */
  readonly resolve: SchemaResolver;
}

/**
 * Loads `<projectDir>/schemas/*.avsc` (a missing folder is no schemas: a
 * project may declare every schema inline; a broken file is an error naming it).
 *
 * @example
 * ```ts
 * const { resolve } = await loadProjectSchemas('/app');
 * ```
 */
export async function loadProjectSchemas(projectDir: string, dirName = 'schemas'): Promise<ProjectSchemas> {
  const files = new Map<string, AvroSchema>();
  try {
    for (const loaded of await loadSchemas(join(projectDir, dirName))) files.set(loaded.name, loaded.schema);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('cannot read schema directory'))) throw error;
  }
  const names = [...files.keys()].sort();
  return {
    dir: dirName,
    names,
    resolve: (ref) => {
      if (typeof ref !== 'string') return ref;
      const schema = files.get(ref);
      if (schema === undefined) throw new Error(`schema '${ref}' is unknown: ${dirName}/${ref}.avsc does not exist (${known(names)})`);
      return schema;
    },
  };
}

/**
 * Checks that every schema a topology names by file exists, before it runs:
 * a missing one is an error naming the topology file, the source or step
 * that uses it, the missing path and the fix.
 *
 * @example
 * ```ts
 * checkSchemaFiles(plan, 'topologies/orders.ts', await loadProjectSchemas(dir));
 * // Error: topologies/orders.ts: source 'orders' uses schema 'order', but schemas/order.avsc does not exist (known: ping).
 * //        Add schemas/order.avsc (an Avro schema), or name an existing file in the topology, or give the schema inline.
 * ```
 */
export function checkSchemaFiles(plan: TopologyPlan, file: string, schemas: Pick<ProjectSchemas, 'dir' | 'names'>): void {
  const have = new Set(schemas.names);
  const problems: string[] = [];
  const seen = new Set<string>();
  const report = (where: string, ref: unknown): void => {
    if (typeof ref !== 'string' || have.has(ref) || seen.has(ref)) return;
    seen.add(ref);
    problems.push(`${where} uses schema '${ref}', but ${schemas.dir}/${ref}.avsc does not exist`);
  };
  const visit = (node: PlanNode): void => {
    switch (node.kind) {
      case 'SourceNode':
        report(`source '${node.topic}'`, node.schema);
        break;
      case 'StreamSinkNode':
        report(`output '${node.topic}' (step '${node.name}')`, node.schema);
        break;
      case 'TrackNode':
        report(`step '${node.name}' (its state)`, node.schema);
        break;
      case 'RepartitionSourceNode':
      case 'RepartitionSinkNode':
        report(`step '${node.name}'`, node.schema);
        break;
      case 'TableSinkNode':
        report(`table '${node.topic}'`, node.valueSchema);
        break;
      default:
        break;
    }
    for (const next of node.next) visit(next);
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) visit(source);
  if (problems.length === 0) return;
  const missing = [...seen].map((ref) => `${schemas.dir}/${ref}.avsc`).join(', ');
  throw new Error(
    `${file}: ${problems.join('; ')} (${known(schemas.names)}). ` +
      `Add ${missing} (an Avro schema), or name an existing file in the topology, or give the schema inline ({ schema: { type: 'record', … } })`,
  );
}

function known(names: readonly string[]): string {
  return names.length > 0 ? `known: ${names.join(', ')}` : 'no .avsc files there';
}
