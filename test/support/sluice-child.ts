import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const bin = join(new URL('../..', import.meta.url).pathname, 'bin', 'sluice.js');

/** What a finished `sluice` child process did. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `node bin/sluice.js <args>` as a child process with its stdin, stdout and
 * stderr in the test's hands: `input` is written to stdin and closed (stdin
 * is a pipe, never a terminal, as in CI; `keepStdinOpen` leaves it open for
 * `write`); `waitForLines()` waits for stdout lines
 * while it runs (for `--follow`); `signal()` sends SIGINT/SIGTERM.
 */
export class SluiceChild {
  readonly child: ChildProcess;
  readonly done: Promise<ChildResult>;
  #stdout = '';
  #stderr = '';
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; keepStdinOpen?: boolean }) {
    this.child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stdout += chunk;
      const have = this.stdoutLines().length;
      this.#waiters = this.#waiters.filter((w) => (w.count <= have ? (w.resolve(), false) : true));
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    if (options.keepStdinOpen) this.child.stdin!.write(options.input ?? '');
    else this.child.stdin!.end(options.input ?? '');
    this.done = new Promise((resolve) =>
      this.child.once('close', (code, signal) => resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr })),
    );
  }

  /** Runs to the end. */
  static run(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<ChildResult> {
    return new SluiceChild(args, options).done;
  }

  /** Complete stdout lines so far. */
  stdoutLines(): string[] {
    const parts = this.#stdout.split('\n');
    parts.pop();
    return parts;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves once stdout has at least `count` complete lines; rejects if the process ends first or after `timeoutMs`. */
  waitForLines(count: number, timeoutMs: number): Promise<void> {
    if (this.stdoutLines().length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fewer than ${count} stdout lines within ${timeoutMs} ms:\n${this.#stdout}\nstderr:\n${this.#stderr}`)), timeoutMs);
      void this.done.then((r) => {
        clearTimeout(timer);
        reject(new Error(`exited (code ${r.code}, signal ${r.signal}) with fewer than ${count} stdout lines:\n${r.stdout}\nstderr:\n${r.stderr}`));
      });
      this.#waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Resolves once stderr contains `text`; rejects if the process ends first or after `timeoutMs`. */
  async waitForStderr(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.done.then(() => (exited = true));
    while (!this.#stderr.includes(text)) {
      if (exited || Date.now() > deadline) throw new Error(`no "${text}" on stderr (${exited ? 'the process exited' : `within ${timeoutMs} ms`}):\n${this.#stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Writes to stdin (kept open with `keepStdinOpen`). */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
