import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `--project` names a folder that does not exist. */
export class ProjectDirError extends Error {
  constructor(dir: string, from: string) {
    super(`the project folder ${dir} (from ${from}) does not exist or is not a folder: pass the folder that holds topologies/, schemas/ and sql/`);
    this.name = 'ProjectDirError';
  }
}

/**
 * The Sluice project a command works on: `--project <dir>` (or `--project=<dir>`)
 * when given, else `SLUICE_PROJECT`, else the nearest folder at or above the
 * working directory that holds a `topologies/` folder — so commands work from
 * any subfolder of a project, as npm does with `package.json` — else the
 * working directory itself.
 *
 * @example
 * ```ts
 * findProjectDir(['node', 'sluice', 'run', 'orders', '--project', '../shop'], {}, '/home/me/app');
 * // '/home/me/shop'
 * findProjectDir(['node', 'sluice', 'list'], {}, '/home/me/app/topologies');
 * // '/home/me/app' (it holds topologies/)
 * ```
 */
export function findProjectDir(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  const flag = projectFlag(argv);
  if (flag !== undefined) return existingDir(resolve(cwd, flag), '--project');
  if (env.SLUICE_PROJECT) return existingDir(resolve(cwd, env.SLUICE_PROJECT), 'SLUICE_PROJECT');
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDir(join(dir, 'topologies'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

function projectFlag(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--project') return argv[i + 1];
    if (arg.startsWith('--project=')) return arg.slice('--project='.length);
  }
  return undefined;
}

function existingDir(dir: string, from: string): string {
  if (!isDir(dir)) throw new ProjectDirError(dir, from);
  return dir;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
