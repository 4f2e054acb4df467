import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { describe } from '../../plan/describe.js';
import type { TopologyPlan } from '../../plan/topology-plan.js';
import type { CliContext } from '../cli-context.js';
import { usageErrors } from '../usage-errors.js';
import { loadProjectSchemas } from '../project-schemas.js';
import { checkTopologySchemas } from '../start-up-checks.js';
import { reportFailure } from '../report-failure.js';
import { TopologyCatalog } from '../topology-catalog.js';

const FORMATS = ['text', 'mermaid', 'json', 'html', 'svg', 'png'] as const;
type Format = (typeof FORMATS)[number];

/**
 * `sluice describe <name>`: the planned topology as text (like Kafka Streams'
 * `Topology.describe()`), a mermaid flowchart, JSON, or a picture — a
 * self-contained HTML page, or SVG/PNG drawn from it in headless Chromium.
 * Output goes to stdout, or to `--output <file>`; a PNG goes to `--output`
 * or `<name>.png` in the current directory. An unknown name exits 2 with the
 * list of known ones; a topology that reads a field its schema in `schemas/`
 * lacks exits 1 as `sluice run` would; a missing Chromium exits 1 saying how to install it.
 *
 * @example
 * ```sh
 * $ sluice describe bus-telemetry
 * Topology: bus-telemetry
 *   Sub-topology: 0
 *     Source: bus.telemetry (topic: bus.telemetry, schema: bus-telemetry, …)
 * $ sluice describe bus-telemetry --format mermaid > topology.mmd
 * $ sluice describe bus-telemetry --format png        # writes bus-telemetry.png
 * ```
 */
export function describeCommand(context: CliContext): Command {
  const command = new Command('describe')
    .description('print a topology\'s plan: sub-topologies, nodes, internal topics, sinks — or draw it')
    .argument('<name>', 'topology name (a file in topologies/)')
    .addOption(new Option('--format <format>', 'output format (html, svg and png are pictures; svg and png need Chromium)').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write to this file instead of stdout (png: default <name>.png)')
    .addHelpText(
      'after',
      `
Examples:
  $ sluice describe bus-telemetry
  $ sluice describe bus-telemetry --format mermaid > bus-telemetry.mmd
  $ sluice describe bus-telemetry --format json | jq '.topics[] | select(.internal)'
  $ sluice describe bus-telemetry --format html --output bus-telemetry.html   # open it in a browser, works offline
  $ sluice describe bus-telemetry --format svg --output bus-telemetry.svg
  $ sluice describe bus-telemetry --format png                                # writes bus-telemetry.png

svg and png are drawn in headless Chromium: /usr/bin/chromium (Debian: apt-get install chromium),
or the binary named by SLUICE_CHROMIUM.`,
    )
    .action(async (name: string, options: { format: Format; output?: string }) => {
      await reportFailure(context, 'describe', async () => {
        const plan = await new TopologyCatalog(context.projectDir).plan(name);
        // The field checks sluice run makes at start-up: a plan it would refuse is not described as if it were fine.
        checkTopologySchemas(plan, (await loadProjectSchemas(context.projectDir)).resolve);
        const output = options.output ?? (options.format === 'png' ? `${plan.topology}.png` : undefined);
        const content = await render(plan, options.format);
        if (output === undefined) {
          context.print(typeof content === 'string' && content.endsWith('\n') ? content.slice(0, -1) : String(content));
          return;
        }
        const file = resolve(context.projectDir, output);
        await writeFile(file, content);
        context.info(`wrote ${file} (${options.format}, ${Buffer.byteLength(content).toLocaleString('en')} bytes)`);
      });
    });
  return usageErrors(command);
}

async function render(plan: TopologyPlan, format: Format): Promise<string | Buffer> {
  switch (format) {
    case 'text':
    case 'mermaid':
    case 'json':
      return describe(plan, format);
    // Loaded only for pictures: every other command (sluice run above all) starts without the browser driver.
    case 'html':
      return (await import('../../picture/index.js')).topologyPictureHtml(plan);
    case 'svg': {
      const picture = await import('../../picture/index.js');
      return picture.renderPageToSvg(await picture.topologyPictureHtml(plan));
    }
    case 'png': {
      const picture = await import('../../picture/index.js');
      return picture.renderPageToPng(await picture.topologyPictureHtml(plan));
    }
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}
