import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * What {@link claimPidFile} found: the file is now this process's (`held`),
 * a live process holds it (its pid), or a peer is taking a stale one over
 * this very moment (`retry`, shortly).
 *
 * @example
 * ```ts
 * const outcome: PidFileClaim = claimPidFile('.sluice/pglite.lock', process.pid, pidAlive, { ownPid: 'stale' }); // 'held'
 * ```
 */
export type PidFileClaim = 'held' | 'retry' | number;

/**
 * Claims a pid file — a lock or a numbered slot held by a live process —
 * without a moment in which a peer could read it half-written or two
 * processes could both take it: the file is written whole, then linked into
 * place (a link fails when the file exists); a file whose process is dead
 * is taken over by the one process that creates its take-over directory
 * (atomic), which reads the holder again once it has it.
 *
 * `ownPid`: what a file already naming this pid means — `held` (this
 * process claimed it before) or `stale` (left by an earlier process with the
 * same pid: a container restarted, pid 1 again; the caller knows what it
 * holds itself).
 *
 * @example
 * ```ts
 * claimPidFile('.sluice/instances/slot-0.pid', 4242, pidAlive, { ownPid: 'held' }); // 'held', or 4100 when process 4100 holds it
 * ```
 */
export function claimPidFile(file: string, pid: number, isAlive: (pid: number) => boolean, options: { readonly ownPid: 'held' | 'stale' }): PidFileClaim {
  const mine = `${file}.${pid}`;
  writeFileSync(mine, `${pid}\n`);
  try {
    linkSync(mine, file);
    return 'held';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(mine, { force: true });
  }
  const holder = readPidFile(file);
  if (holder === pid && options.ownPid === 'held') return 'held';
  if (holder !== undefined && holder !== pid && isAlive(holder)) return holder;
  const takeover = `${file}.takeover`;
  try {
    mkdirSync(takeover);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A take-over in progress, or one whose process died in the middle of it (then it is old).
    if (Date.now() - statSync(takeover).mtimeMs > STALE_TAKEOVER_MS) rmSync(takeover, { recursive: true, force: true });
    return 'retry';
  }
  try {
    const again = readPidFile(file);
    if (again !== undefined && again !== holder && again !== pid && isAlive(again)) return again;
    writeFileSync(mine, `${pid}\n`);
    renameSync(mine, file);
    return 'held';
  } finally {
    rmSync(takeover, { recursive: true, force: true });
  }
}

/** A take-over directory older than this was left by a process that died while taking a file over. */
const STALE_TAKEOVER_MS = 10_000;

/**
 * The pid a pid file holds, or `undefined` when it is missing, empty or
 * not a pid.
 *
 * @example
 * ```ts
 * readPidFile('.sluice/pglite.lock'); // 4242
 * ```
 */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a process with this pid exists (one owned by another user counts:
 * a reused pid is refused rather than a live holder ignored).
 *
 * @example
 * ```ts
 * pidAlive(process.pid); // true
 * ```
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
