import { Command } from 'commander';
import { stackUp } from '../../stack/index.js';
import { serviceProbes } from '../service-probes.js';
import type { CliContext } from '../cli-context.js';
import { formatEndpoints } from './stack-command.js';

/**
 * `sluice start` (what `npm start` runs): brings the stack up; the demo
 * topologies join it as they are written.
 *
 * @example
 * ```sh
 * npm start
 * ```
 */
export function startCommand(context: CliContext): Command {
  return new Command('start')
    .description('bring the stack up and run the demo topologies (what `npm start` runs)')
    .action(async () => {
      const endpoints = await stackUp({ projectDir: context.projectDir, probes: serviceProbes, log: context.info });
      context.print(formatEndpoints(endpoints));
      context.print('the stack is up. The demo topologies are not written yet, so nothing else runs; `npx sluice stack down` stops the stack.');
    });
}
