import { Command, Option } from 'commander';
import { describe, type DescribeFormat } from '../../plan/describe.js';
import type { CliContext } from '../cli-context.js';
import { usageErrors } from '../usage-errors.js';
import { reportFailure } from '../report-failure.js';
import { TopologyCatalog } from '../topology-catalog.js';

/**
 * `sluice describe <name>`: the planned topology as text (like Kafka Streams'
 * `Topology.describe()`), a mermaid flowchart, or JSON. An unknown name exits
 * 2 with the list of known ones.
 *
 * @example
 * ```sh
 * $ sluice describe bus-telemetry
 * Topology: bus-telemetry
 *   Sub-topology: 0
 *     Source: bus.telemetry (topic: bus.telemetry, schema: bus-telemetry, …)
 * $ sluice describe bus-telemetry --format mermaid > topology.mmd
 * ```
 */
export function describeCommand(context: CliContext): Command {
  const command = new Command('describe')
    .description('print a topology\'s plan: sub-topologies, nodes, internal topics, sinks')
    .argument('<name>', 'topology name (a file in topologies/)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ sluice describe bus-telemetry
  $ sluice describe bus-telemetry --format mermaid > bus-telemetry.mmd
  $ sluice describe bus-telemetry --format json | jq '.topics[] | select(.internal)'`,
    )
    .action(async (name: string, options: { format: DescribeFormat }) => {
      await reportFailure(context, 'describe', async () => {
        const text = describe(await new TopologyCatalog(context.projectDir).plan(name), options.format);
        context.print(text.endsWith('\n') ? text.slice(0, -1) : text);
      });
    });
  return usageErrors(command);
}
