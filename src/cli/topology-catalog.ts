import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Topology } from '../dsl/topology.js';
import { plan, type PlanOptions } from '../plan/plan-topology.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import { useTypeScriptLoader } from './typescript-loader.js';

/** A topology name the catalog does not know; the message lists the known ones. */
export class UnknownTopologyError extends Error {
  constructor(name: string, known: readonly string[], dir: string) {
    super(
      `no topology named "${name}" in ${dir}/ — known: ${known.length > 0 ? known.join(', ') : '(none)'}. ` +
        `A topology is a file ${dir}/<name>.ts whose default export is topology('<name>')…`,
    );
    this.name = 'UnknownTopologyError';
  }
}

/**
 * The topologies of a project: `topologies/<name>.ts`, each default-exporting
 * a {@link Topology}. Loading one plans it, so a bad definition fails here,
 * naming the file.
 *
 * @example
 * ```ts
 * const catalog = new TopologyCatalog(process.cwd());
 * catalog.names();                        // ['bus-telemetry', 'events-pipeline', …]
 * const plan = await catalog.plan('bus-telemetry');
 * ```
 */
export class TopologyCatalog {
  readonly dir: string;

  constructor(projectDir: string, dirName = 'topologies') {
    this.dir = resolve(projectDir, dirName);
  }

  /** Names of the topology files, sorted. */
  names(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
        .map((f) => f.slice(0, -3))
        .sort();
    } catch {
      return [];
    }
  }

  /**
   * The file of topology `name` as messages show it: relative to the working
   * directory (`topologies/orders.ts`), absolute when outside it.
   */
  relativeFile(name: string): string {
    const file = join(this.dir, `${name}.ts`);
    const shown = relative(process.cwd(), file);
    return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
  }

  /** Imports `topologies/<name>.ts` and returns its default export. */
  async load(name: string): Promise<Topology> {
    const known = this.names();
    if (!known.includes(name)) throw new UnknownTopologyError(name, known, 'topologies');
    const file = join(this.dir, `${name}.ts`);
    useTypeScriptLoader();
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!(module.default instanceof Topology) && builtByAnotherSluice(module.default)) {
      throw new Error(
        `${file} builds its topology with another copy of Sluice than this CLI (${import.meta.url}): ` +
          `run the project's own CLI (\`npx sluice\` in the project) so both come from its node_modules/sluice`,
      );
    }
    if (!(module.default instanceof Topology)) {
      throw new Error(`${file} must default-export a topology: export default topology('${name}').source(…)…`);
    }
    if (module.default.name !== name) {
      throw new Error(`${file} defines topology '${module.default.name}' but its file name says '${name}': rename one so they match`);
    }
    return module.default;
  }

  /** Loads and plans; a bad definition throws a TopologyDefinitionError naming topology, step and fix. */
  async plan(name: string, options: PlanOptions = {}): Promise<TopologyPlan> {
    return plan(await this.load(name), options);
  }
}

/** A topology object whose classes come from another copy of Sluice (their names match, their identities do not). */
function builtByAnotherSluice(value: unknown): boolean {
  for (let proto: unknown = value === null || typeof value !== 'object' ? null : Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'Topology') return true;
  }
  return false;
}
