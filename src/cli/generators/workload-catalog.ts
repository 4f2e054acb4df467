import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useTypeScriptLoader } from '../typescript-loader.js';
import type { EventGenerator } from './event-generator.js';

/** A workload of any record and oracle type. */
export type AnyWorkload = EventGenerator<unknown, unknown>;

/** A name `sluice generate` does not know; the message lists the known ones. */
export class UnknownWorkloadError extends Error {
  override readonly name = 'UnknownWorkloadError';
}

/**
 * The hand-written workloads of a project: every `workloads/<name>.ts` whose
 * default export is an {@link EventGenerator} (records, the topics and
 * topologies they feed, an oracle). Other files there (shared helpers, an
 * index) are skipped. A project without the folder has none; its topologies
 * get schema-driven workloads.
 *
 * @example
 * ```ts
 * (await loadWorkloads('.')).map((w) => w.name);
 * // in Sluice's repository: ['bus-telemetry', 'events-pipeline', 'heartbeat-monitoring', 'order-events', 'traffic-monitoring']
 * ```
 */
export async function loadWorkloads(projectDir: string): Promise<AnyWorkload[]> {
  const dir = resolve(projectDir, 'workloads');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  } catch {
    return [];
  }
  useTypeScriptLoader();
  const workloads: AnyWorkload[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    if (isWorkload(module.default)) workloads.push(module.default);
  }
  return workloads;
}

function isWorkload(value: unknown): value is AnyWorkload {
  const w = value as Partial<AnyWorkload> | undefined;
  return typeof w === 'object' && w !== null && typeof w.name === 'string' && Array.isArray(w.topologies) && typeof w.records === 'function';
}

/**
 * The workload named `name`, or feeding the topology `name`
 * (`order-processing` → the `order-events` workload).
 *
 * @example
 * ```ts
 * findWorkload('order-analytics', workloads).name; // 'order-events'
 * findWorkload('nope', workloads); // UnknownWorkloadError: no generator named "nope" — known: bus-telemetry, …
 * ```
 */
export function findWorkload(name: string, workloads: readonly AnyWorkload[]): AnyWorkload {
  const found = workloads.find((w) => w.name === name) ?? workloads.find((w) => w.topologies.includes(name));
  if (found === undefined) {
    const known = [...new Set(workloads.flatMap((w) => [w.name, ...w.topologies]))].sort();
    throw new UnknownWorkloadError(`no generator named "${name}" — known: ${known.join(', ')}`);
  }
  return found;
}
