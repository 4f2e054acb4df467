import type { Command } from 'commander';

/**
 * Makes usage errors of a command (and its subcommands) end in exit code 2.
 *
 * Why: commander copies `exitOverride()` only to subcommands made with
 * `.command()`; a command built apart and attached with `addCommand()` calls
 * `process.exit(1)` on a bad option, and 1 means "incompatible schema" to a
 * CI script. With the override, commander throws a CommanderError that
 * `main()` turns into exit code 2 (`--help` still exits 0).
 *
 * @example
 * ```ts
 * program.addCommand(usageErrors(new Command('list')));
 * // sluice list --bogus → "error: unknown option '--bogus'", exit code 2
 * ```
 */
export function usageErrors(command: Command): Command {
  command.exitOverride().showHelpAfterError();
  for (const sub of command.commands) usageErrors(sub);
  return command;
}
