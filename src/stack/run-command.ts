import { execFile } from 'node:child_process';

/** What a finished command printed. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion with a hard time limit; never throws for a
 * non-zero exit (the caller decides what that means), only for a command that
 * does not exist (`code` -1, with `stderr` saying so) or the time limit (code -2).
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCommand('java', ['-version'], { timeoutMs: 10_000 });
 * ```
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs, cwd: options.cwd, env: options.env, maxBuffer: 32 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise({ code: 0, stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (failure.code === 'ENOENT') return resolvePromise({ code: -1, stdout, stderr: `${command}: command not found` });
        if (failure.killed) return resolvePromise({ code: -2, stdout, stderr: `${stderr}\n${command} timed out after ${options.timeoutMs} ms` });
        resolvePromise({ code: typeof failure.code === 'number' ? failure.code : 1, stdout, stderr });
      },
    );
  });
}
