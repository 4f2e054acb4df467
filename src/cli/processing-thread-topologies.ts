import type { ThreadTopologyLoader } from '../worker/processing-thread-messages.js';
import { loadProjectSchemas } from './project-schemas.js';
import { TopologyCatalog } from './topology-catalog.js';

/**
 * How a processing thread plans its topologies: from the project's
 * `topologies/` and `schemas/`, as `sluice run` did on the main thread. The
 * thread imports this module by URL ({@link processingThreadTopologyLoader}),
 * so `worker/` needs nothing from the CLI.
 *
 * @example
 * ```ts
 * const { plans, resolveSchema } = await loadTopologies({ projectDir: '/app', topologies: ['bus-telemetry'], planOptions: {} });
 * plans[0]?.topology; // 'bus-telemetry'
 * ```
 */
export const loadTopologies: ThreadTopologyLoader = async ({ projectDir, topologies, planOptions }) => {
  const catalog = new TopologyCatalog(projectDir);
  const resolveSchema = (await loadProjectSchemas(projectDir)).resolve;
  const plans = [];
  for (const name of topologies) plans.push(await catalog.plan(name, planOptions));
  return { plans, resolveSchema };
};

/**
 * The URL of this module, for `ProcessingThreadData.topologyLoader`: the
 * `.ts` file when Sluice runs from its sources (the thread registers tsx),
 * the compiled `.js` in the package.
 *
 * @example
 * ```ts
 * ProcessingThread.spawn({ ...settings, topologyLoader: processingThreadTopologyLoader() });
 * ```
 */
export function processingThreadTopologyLoader(): string {
  return import.meta.url;
}
