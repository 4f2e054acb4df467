import { Command, CommanderError } from 'commander';
import { StackError } from '../stack/index.js';
import type { CliContext } from './cli-context.js';
import { stackCommand } from './commands/stack-command.js';
import { generateCommand } from './commands/generate-command.js';
import { runCommand } from './commands/run-command.js';
import { startCommand } from './commands/start-command.js';
import { schemasCommand } from './commands/schemas-command.js';
import { listCommand } from './commands/list-command.js';
import { describeCommand } from './commands/describe-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { initCommand } from './commands/init-command.js';
import { topicsCommand } from './commands/topics-command.js';
import { produceCommand } from './commands/produce-command.js';
import { consumeCommand } from './commands/consume-command.js';
import { usageErrors } from './usage-errors.js';
import { findProjectDir } from './project-dir.js';
import { projectSluiceBin, runProjectSluice } from './project-sluice.js';
import { errorText } from '../error-text.js';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unhealthy: 3 } as const;

/**
 * Runs the `sluice` CLI and returns its exit code. `projectDir` overrides
 * where the project is (tests); otherwise `--project`, `SLUICE_PROJECT` or the
 * working directory's nearest folder with `topologies/` decide.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'sluice', 'stack', 'status']);
 * ```
 */
export async function main(argv: readonly string[], projectDir?: string): Promise<number> {
  let exitCode: number = EXIT.ok;
  const info = (line: string): void => void process.stderr.write(`${line}\n`);
  let dir: string;
  try {
    dir = projectDir ?? findProjectDir(argv, process.env, process.cwd());
  } catch (error) {
    info(`sluice: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const projectSluice = projectDir === undefined ? projectSluiceBin(dir) : undefined;
  if (projectSluice !== undefined) {
    if (process.env.SLUICE_DEBUG === '1') info(`sluice: handing over to the project's own Sluice at ${projectSluice}`);
    return runProjectSluice(projectSluice, argv);
  }
  const context: CliContext = {
    projectDir: dir,
    print: (line) => process.stdout.write(`${line}\n`),
    info,
    setExitCode: (code) => (exitCode = code),
  };
  const program = new Command('sluice')
    .description('Kafka Streams-style topologies for TypeScript: Avro + Schema Registry, RxJS steps, librdkafka, exactly-once into PostgreSQL')
    .option('--project <dir>', 'the project folder (topologies/, schemas/, sql/); default: SLUICE_PROJECT, else the nearest folder above holding topologies/')
    .showHelpAfterError()
    .exitOverride();
  const commands = [initCommand, stackCommand, startCommand, runCommand, generateCommand, schemasCommand, listCommand, describeCommand, migrateCommand, topicsCommand, produceCommand, consumeCommand];
  for (const command of commands) program.addCommand(usageErrors(command(context)));
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // Operational errors carry their explanation in the message; the stack helps only when debugging Sluice itself.
    const debug = process.env.SLUICE_DEBUG === '1' && error instanceof Error;
    context.info(`sluice: ${debug ? (error.stack ?? error.message) : errorText(error)}`);
    if (!debug && !(error instanceof StackError)) context.info('(SLUICE_DEBUG=1 shows the stack trace)');
    return EXIT.failure;
  }
}
