import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('../..', import.meta.url).pathname;
const bin = join(repoRoot, 'bin', 'sluice.js');

/**
 * A throwaway project inside the package (under .sluice/tmp, git-ignored), so
 * its topology files can `import … from 'sluice'` by package self-reference,
 * exactly as a user's project imports the installed package.
 */
export function fixtureProject(name: string, files: Readonly<Record<string, string>>): { dir: string; remove: () => void } {
  const dir = join(repoRoot, '.sluice', 'tmp', name);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running `sluice` child process whose JSON log lines can be awaited. */
export class SluiceProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: { match: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  #stderr = '';

  constructor(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [bin, ...args, '--log-format', 'json'], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
      const parts = this.#stderr.split('\n');
      this.#stderr = parts.pop() ?? '';
      for (const part of parts) this.#accept(part);
    });
    this.child.stdout!.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves at the first log line (past or future) whose message contains `text`; rejects after `timeoutMs`. */
  waitForLog(text: string, timeoutMs: number): Promise<void> {
    const match = (line: Record<string, unknown>): boolean => String(line.msg ?? '').includes(text);
    if (this.lines.some(match)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line containing "${text}" within ${timeoutMs} ms; last lines:\n${this.tail()}`)), timeoutMs);
      // A process that died will never log it: say so now, with its last words.
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the process exited (code ${code}, signal ${signal}) before logging "${text}"; last lines:\n${this.tail()}`));
      });
      this.#waiters.push({ match, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  tail(n = 12): string {
    return this.lines.slice(-n).map((l) => JSON.stringify(l)).join('\n');
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  #accept(text: string): void {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { level: 'raw', msg: text };
    }
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(line)) return true;
      w.resolve();
      return false;
    });
  }
}
