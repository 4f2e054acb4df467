import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** An instance id claimed for this process; `release` gives it back (also done at exit). */
export interface InstanceSlot {
  readonly id: string;
  readonly slot: number;
  release(): void;
}

/**
 * The instance id of a `sluice run` started without `--instance-id`: stable
 * across restarts, like the process id Kafka Streams keeps in its state
 * directory, so a process restarted after a crash (kill -9, OOM) reuses its
 * predecessor's transactional ids and fences it at once — `initTransactions`
 * aborts the open transaction the dead process left, which otherwise holds
 * back every read_committed reader of the topics it wrote (repartition,
 * tables) until `transaction.timeout.ms` runs out.
 *
 * Processes of one project on one host each hold a numbered slot under
 * `<projectDir>/.sluice/instances/` (a file with the holder's pid); a process
 * takes the lowest slot whose holder is not alive. The id is
 * `<host>-<project hash>-<slot>`: two hosts, or two checkouts on one host,
 * never share one (a shared transactional id would fence a live peer).
 *
 * @example
 * ```ts
 * const slot = claimInstanceSlot('/app');   // { id: 'web-1-3f2a9c-0', slot: 0 }
 * // … run with instanceId: slot.id
 * slot.release();
 * ```
 */
export function claimInstanceSlot(projectDir: string, options: { isAlive?: (pid: number) => boolean; pid?: number; host?: string } = {}): InstanceSlot {
  const isAlive = options.isAlive ?? pidAlive;
  const pid = options.pid ?? process.pid;
  const dir = join(projectDir, '.sluice', 'instances');
  mkdirSync(dir, { recursive: true });
  const project = createHash('sha256').update(resolve(projectDir)).digest('hex').slice(0, 6);
  const host = (options.host ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '_');
  for (let slot = 0; ; slot++) {
    const file = join(dir, `slot-${slot}.pid`);
    if (!tryClaim(file, pid, isAlive)) continue;
    const release = (): void => {
      try {
        if (readPid(file) === pid) unlinkSync(file);
      } catch {
        // Already gone.
      }
    };
    process.once('exit', release);
    return {
      id: `${host}-${project}-${slot}`,
      slot,
      release: () => {
        process.off('exit', release);
        release();
      },
    };
  }
}

function tryClaim(file: string, pid: number, isAlive: (pid: number) => boolean): boolean {
  // Written whole, then linked into place: a link fails if the slot file exists, so a peer never
  // sees the file before its pid is in it (an empty file read as "stale" once gave two processes
  // the same slot, and so the same transactional ids).
  const mine = `${file}.${pid}`;
  writeFileSync(mine, `${pid}\n`);
  try {
    linkSync(mine, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(mine, { force: true });
  }
  const holder = readPid(file);
  if (holder === pid) return true;
  if (holder !== undefined && isAlive(holder)) return false;
  // The holder died without releasing (kill -9). Only one process may take a slot over: the one
  // that creates its take-over directory (atomic), and it looks at the holder again once it has.
  const takeover = `${file}.takeover`;
  try {
    mkdirSync(takeover);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A take-over in progress, or one whose process died in the middle of it (then it is old).
    if (Date.now() - statSync(takeover).mtimeMs < STALE_TAKEOVER_MS) return false;
    rmSync(takeover, { recursive: true, force: true });
    return false;
  }
  try {
    const again = readPid(file);
    if (again !== holder && again !== undefined && isAlive(again)) return false;
    writeFileSync(mine, `${pid}\n`);
    renameSync(mine, file);
    return true;
  } finally {
    rmSync(takeover, { recursive: true, force: true });
  }
}

/** A take-over directory older than this was left by a process that died while taking a slot over. */
const STALE_TAKEOVER_MS = 10_000;

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a pid reused by another program counts as alive: the slot is skipped, never shared). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
