import { RegistryUnavailableError } from '../serde/index.js';
import type { CliContext } from './cli-context.js';
import { UnknownTopologyError } from './topology-catalog.js';
import { errorText } from '../error-text.js';

/**
 * Runs a command's work and turns an expected failure into one readable line
 * on stderr and an exit code, instead of a stack trace: these commands run in
 * users' CI, where the first line of output is what gets read. An unknown
 * topology name is a usage error (2); anything else is a failure (1).
 *
 * @example
 * ```ts
 * await reportFailure(context, 'schemas check', async () => { ... });
 * // stderr: sluice schemas check: schema registry unavailable: ... (is it running? `sluice stack status`)
 * ```
 */
export async function reportFailure(context: CliContext, command: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = errorText(error);
    const hint = error instanceof RegistryUnavailableError ? ' (is it running? see `sluice stack status`)' : '';
    context.info(`sluice ${command}: ${message}${hint}`);
    context.setExitCode(error instanceof UnknownTopologyError ? 2 : 1);
  }
}
