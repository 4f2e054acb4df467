import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The `sluice` bin of the project's own installed Sluice when it is another
 * copy than the one running: a project's topologies import Sluice from its
 * own `node_modules`, and a topology built by one copy is foreign to another
 * copy's runtime, so a Sluice run from elsewhere (`npx sluice --project app`
 * from a parent folder with its own install, a global install) hands over to
 * the project's.
 *
 * @example
 * ```ts
 * projectSluiceBin('/home/me/app'); // '/home/me/app/node_modules/sluice/bin/sluice.js', or undefined when it is this copy or absent
 * ```
 */
export function projectSluiceBin(projectDir: string): string | undefined {
  const theirs = join(projectDir, 'node_modules', 'sluice');
  const bin = join(theirs, 'bin', 'sluice.js');
  if (!existsSync(bin)) return undefined;
  return realpathSync(theirs) === realpathSync(OWN_ROOT) ? undefined : bin;
}

/**
 * Runs `bin` with the same arguments, the terminal handed over, and returns
 * its exit code. A terminal's Ctrl-C reaches the child by itself (same
 * process group), so SIGINT is only kept from ending this process; a SIGTERM
 * sent to this process alone (a supervisor) is passed on.
 *
 * @example
 * ```ts
 * process.exitCode = await runProjectSluice(bin, process.argv);
 * ```
 */
export function runProjectSluice(bin: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [bin, ...argv.slice(2)], { stdio: 'inherit' });
  const ignore = (): void => {};
  const forward = (): void => void child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
