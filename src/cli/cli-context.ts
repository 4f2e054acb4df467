/**
 * What every command needs from its surroundings, injected so commands can be
 * tested without a terminal.
 *
 * @example
 * ```ts
 * const context: CliContext = { projectDir: process.cwd(), print: console.log, info: console.error, setExitCode: (c) => (process.exitCode = c) };
 * ```
 */
export interface CliContext {
  readonly projectDir: string;
  /** Results, on stdout. */
  print(line: string): void;
  /** Progress, on stderr, so stdout stays parseable. */
  info(line: string): void;
  setExitCode(code: number): void;
}
