import { Command, CommanderError } from 'commander';
import { StackError } from '../stack/index.js';
import type { CliContext } from './cli-context.js';
import { stackCommand } from './commands/stack-command.js';
import { runCommand } from './commands/run-command.js';
import { startCommand } from './commands/start-command.js';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unhealthy: 3 } as const;

/**
 * Runs the `sluice` CLI and returns its exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'sluice', 'stack', 'status']);
 * ```
 */
export async function main(argv: readonly string[], projectDir: string = process.cwd()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const context: CliContext = {
    projectDir,
    print: (line) => process.stdout.write(`${line}\n`),
    info: (line) => process.stderr.write(`${line}\n`),
    setExitCode: (code) => (exitCode = code),
  };
  const program = new Command('sluice')
    .description('Kafka Streams-style topologies for TypeScript: Avro + Schema Registry, RxJS steps, librdkafka, exactly-once into PostgreSQL')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(stackCommand(context));
  program.addCommand(startCommand(context));
  program.addCommand(runCommand(context));
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof StackError) {
      context.info(`sluice: ${error.message}`);
      return EXIT.failure;
    }
    context.info(`sluice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failure;
  }
}
