import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);
const bin = join(new URL('../..', import.meta.url).pathname, 'bin', 'sluice.js');

/** Runs `work` on a fresh client of `url`, closed afterwards. */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `sluice run <args>` in `projectDir`, killed after `boundMs` (exit code -1 then, and the stderr says so). */
export async function boundedSluiceRun(projectDir: string, args: readonly string[], env: NodeJS.ProcessEnv, boundMs: number): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await execFileAsync(process.execPath, [bin, 'run', ...args, '--log-format', 'text'], { cwd: projectDir, env: { ...process.env, ...env }, timeout: boundMs });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; killed?: boolean; stderr?: string };
    const stderr = failed.stderr ?? String(error);
    if (failed.killed) return { code: -1, stderr: `${stderr}\n(still running after ${boundMs} ms: killed)` };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stderr };
  }
}
