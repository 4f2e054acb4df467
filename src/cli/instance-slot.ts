import { createHash } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { claimPidFile, pidAlive, readPidFile } from '../pid-file.js';

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
    // A slot a live process holds, or one being taken over right now, is skipped: the next may be free.
    if (claimPidFile(file, pid, isAlive, { ownPid: 'held' }) !== 'held') continue;
    const release = (): void => {
      try {
        if (readPidFile(file) === pid) unlinkSync(file);
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
