import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { usageErrors } from '../usage-errors.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { formatTopologyList, summarizeTopology } from '../topology-summary.js';

/**
 * `sluice list`: every topology in `topologies/` with a one-line summary of
 * what it reads and writes. A topology that fails to load is listed as
 * INVALID with the reason (exit 1), so one broken file does not hide the rest.
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
      const entries = [];
      for (const name of names) {
        try {
          entries.push({ name, summary: summarizeTopology(await catalog.plan(name)) });
        } catch (error) {
          entries.push({ name, error: error instanceof Error ? error.message : String(error) });
          context.setExitCode(1);
        }
      }
      for (const line of formatTopologyList(entries)) context.print(line);
    });
  return usageErrors(command);
}
