import { mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { claimPidFile, pidAlive, readPidFile } from '../../pid-file.js';

/** A held {@link lockPgliteDir} lock; `release` gives it back (also done at process exit). */
export interface PgliteLock {
  /** The lock file, beside the data directory. */
  readonly file: string;
  release(): void;
}

/** Why {@link lockPgliteDir} refused: another live process holds the directory. */
export class PgliteLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: number,
    readonly file: string,
  ) {
    super(
      `the embedded database at ${dataDir} is in use by process ${holder} (lock file ${file}): ` +
        'PGlite allows one process per data directory, and two would corrupt it. ' +
        'Run one sluice process per project on the embedded database, or set DATABASE_URL to a PostgreSQL server to run several instances. ' +
        `If process ${holder} is not a Sluice process of this project, delete ${file}.`,
    );
    this.name = 'PgliteLockedError';
  }
}

/** Options for {@link lockPgliteDir}; the defaults are this process and a real liveness check. */
export interface PgliteLockOptions {
  readonly pid?: number;
  readonly isAlive?: (pid: number) => boolean;
}

// Lock files this process holds, and as which pid: a second open in the same process would
// corrupt the data as surely as a second process, and a lock file naming our own pid that is
// NOT held here was left by an earlier process with that pid (a container restarted: pid 1 again).
const heldHere = new Map<string, number>();

/**
 * Takes the lock on an embedded database directory before PGlite opens it.
 * PGlite on the Node filesystem takes none (its `postmaster.pid` says -42):
 * two processes open the same directory, both write, and the next open dies
 * with `Aborted()` or loses rows silently. The lock is `<dataDir>.lock`
 * holding the holder's pid; one left by a process that died (kill -9) is
 * taken over, one held by a live process throws {@link PgliteLockedError}.
 *
 * @example
 * ```ts
 * const lock = lockPgliteDir('/app/.sluice/pglite');   // { file: '/app/.sluice/pglite.lock', … }
 * const pglite = await PGlite.create('/app/.sluice/pglite');
 * // … later, after pglite.close():
 * lock.release();
 * // A second process meanwhile: PgliteLockedError "the embedded database at /app/.sluice/pglite is in use by process 4242 …"
 * ```
 */
export function lockPgliteDir(dataDir: string, options: PgliteLockOptions = {}): PgliteLock {
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? pidAlive;
  const file = `${dataDir}.lock`;
  if (heldHere.get(file) === pid) throw new PgliteLockedError(dataDir, pid, file);
  mkdirSync(dirname(file), { recursive: true });
  for (;;) {
    // A file naming our own pid that is not held here was left by an earlier process with that pid.
    const outcome = claimPidFile(file, pid, isAlive, { ownPid: 'stale' });
    if (outcome === 'held') break;
    if (typeof outcome === 'number') throw new PgliteLockedError(dataDir, outcome, file);
    // 'retry': a peer is taking over a stale lock this very moment; look again shortly.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  heldHere.set(file, pid);
  const release = (): void => {
    if (heldHere.get(file) === pid) heldHere.delete(file);
    try {
      if (readPidFile(file) === pid) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return {
    file,
    release: () => {
      process.off('exit', release);
      release();
    },
  };
}
