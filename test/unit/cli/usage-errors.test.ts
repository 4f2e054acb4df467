import { Command, CommanderError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/cli-context.js';
import { reportFailure } from '../../../src/cli/report-failure.js';
import { UnknownTopologyError } from '../../../src/cli/topology-catalog.js';
import { usageErrors } from '../../../src/cli/usage-errors.js';
import { RegistryUnavailableError } from '../../../src/serde/index.js';

function silent(command: Command): Command {
  command.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const sub of command.commands) silent(sub);
  return command;
}

describe('usageErrors', () => {
  it('makes a bad option of a nested subcommand throw a CommanderError (main() turns it into exit 2) instead of exiting', async () => {
    const group = new Command('schemas');
    group.command('check').addOption(new Option('--subject-strategy <s>').choices(['topic', 'record'])).action(() => {});
    const program = new Command('sluice').exitOverride();
    program.addCommand(silent(usageErrors(group)));
    const error = await program.parseAsync(['node', 'sluice', 'schemas', 'check', '--subject-strategy', 'nope']).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).not.toBe(0);
  });
});

describe('reportFailure', () => {
  function context(): CliContext & { lines: string[]; code: number } {
    const c = { lines: [] as string[], code: 0, projectDir: '.', print: () => {}, info: (l: string) => c.lines.push(l), setExitCode: (n: number) => (c.code = n) };
    return c;
  }

  it('prints one line naming the command, with a hint for an unreachable registry, and exits 1', async () => {
    const c = context();
    await reportFailure(c, 'schemas check', async () => {
      throw new RegistryUnavailableError('schema registry unreachable: GET http://r/subjects: ECONNREFUSED');
    });
    expect(c.lines).toEqual(['sluice schemas check: schema registry unreachable: GET http://r/subjects: ECONNREFUSED (is it running? see `sluice stack status`)']);
    expect(c.code).toBe(1);
  });

  it('an unknown topology is a usage error (2)', async () => {
    const c = context();
    await reportFailure(c, 'describe', async () => {
      throw new UnknownTopologyError('nope', ['echo'], 'topologies');
    });
    expect(c.lines[0]).toMatch(/^sluice describe: no topology named "nope" in topologies\/ — known: echo/);
    expect(c.code).toBe(2);
  });

  it('leaves the exit code alone when the work succeeds', async () => {
    const c = context();
    await reportFailure(c, 'list', async () => {});
    expect(c.code).toBe(0);
    expect(c.lines).toEqual([]);
  });
});
