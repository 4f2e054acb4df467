import { stepCode } from '../plan/step-code.js';
import type { ThreadTopologyLoader } from '../worker/processing-thread-messages.js';
import { loadProjectSchemas } from './project-schemas.js';
import { TopologyCatalog } from './topology-catalog.js';

/**
 * How a processing thread gets its topologies' code: from the project's
 * `topologies/` (and the resolver of its `schemas/`), the plans themselves
 * coming from the main thread as data. The thread imports this module by URL
 * ({@link processingThreadTopologyLoader}), so `worker/` needs nothing from
 * the CLI.
 *
 * @example
 * ```ts
 * const { code } = await loadTopologies({ projectDir: '/app', topologies: ['bus-telemetry'] });
 * code[0]?.validate('ranges'); // the check of step 'ranges'
 * ```
 */
export const loadTopologies: ThreadTopologyLoader = async ({ projectDir, topologies }) => {
  const catalog = new TopologyCatalog(projectDir);
  const resolveSchema = (await loadProjectSchemas(projectDir)).resolve;
  const code = [];
  for (const name of topologies) code.push(stepCode(await catalog.load(name)));
  return { code, resolveSchema };
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
