import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { loadProjectSchemas } from '../project-schemas.js';
import { checkTopologySchemas } from '../start-up-checks.js';
import { usageErrors } from '../usage-errors.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { formatTopologyList, summarizeTopology } from '../topology-summary.js';
import { errorText } from '../../error-text.js';

/**
 * `sluice list`: every topology in `topologies/` with a one-line summary of
 * what it reads and writes. A topology that fails to load, or reads a field
 * its schema in `schemas/` lacks (what `sluice run` refuses at start-up), is
 * listed as INVALID with the reason (exit 1), so one broken file does not hide the rest.
 *
 * @example
 * ```sh
 * $ sluice list
 * bus-telemetry  bus.telemetry → bus.route-stats.1m (table), bus.telemetry.dlq (dead letters) · sinks: route-stats-pg (postgres)
 * ```
 */
export function listCommand(context: CliContext): Command {
  const command = new Command('list')
    .description('list the topologies in topologies/ with what each reads and writes')
    .addHelpText('after', '\nExit codes: 0 ok, 1 a topology failed to load (listed as INVALID).\n\nExamples:\n  $ sluice list\n  $ sluice describe bus-telemetry')
    .action(async () => {
      const catalog = new TopologyCatalog(context.projectDir);
      const names = catalog.names();
      if (names.length === 0) {
        context.info(`no topologies in ${catalog.dir}/: add <name>.ts default-exporting topology('<name>')…`);
        return;
      }
      // A broken schema file is reported once; the topologies are still listed, without the field check.
      const schemas = await loadProjectSchemas(context.projectDir).catch((error: unknown) => {
        context.info(`sluice list: ${errorText(error)}`);
        context.setExitCode(1);
        return undefined;
      });
      const entries = [];
      for (const name of names) {
        try {
          const plan = await catalog.plan(name);
          if (schemas !== undefined) checkTopologySchemas(plan, schemas.resolve);
          entries.push({ name, summary: summarizeTopology(plan) });
        } catch (error) {
          entries.push({ name, error: errorText(error) });
          context.setExitCode(1);
        }
      }
      for (const line of formatTopologyList(entries)) context.print(line);
    });
  return usageErrors(command);
}
