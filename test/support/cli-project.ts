import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const sluice = join(root, 'bin/sluice.js');

/** What a `sluice` child process did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A throwaway project directory with its own `topologies/`, `schemas/` and
 * `sql/`, inside the package (`.sluice/tmp/…`) so `import … from 'sluice'` in
 * a topology file resolves by package self-reference, and `sluice` run in it
 * as a child process, exactly as a user's CI would.
 */
export class CliProject {
  readonly dir: string;

  constructor(name: string) {
    this.dir = join(root, '.sluice', 'tmp', name);
    rmSync(this.dir, { recursive: true, force: true });
    for (const sub of ['topologies', 'schemas', 'sql']) mkdirSync(join(this.dir, sub), { recursive: true });
  }

  /** Writes a file relative to the project (JSON for non-strings). */
  write(path: string, content: string | object): void {
    const file = join(this.dir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }

  remove(path: string): void {
    rmSync(join(this.dir, path), { recursive: true, force: true });
  }

  /** Runs `node bin/sluice.js <args>` in the project; never rejects, the exit code is in the result. */
  async sluice(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [sluice, ...args], {
        cwd: this.dir,
        env: { ...process.env, ...env },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? `${String(error)}` };
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
