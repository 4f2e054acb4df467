/**
 * The `sluice run` processes of one chaos run: instance `a` (always there)
 * and `b` (scale-out), each spawned as the real CLI in the run's project.
 * Every exit the harness did not cause is recorded as an anomaly — and the
 * instance is started again, so the run can still be judged.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceProcess } from '../support/sluice-process.js';
import type { IdMode, InstanceName } from './scenario.js';

/** Every child process the harness started and that may still run: killed at once on a hard exit. */
export const children = new Set<ChildProcess>();

/** SIGKILLs every child the harness started (a second Ctrl-C): nothing of a run outlives it. */
export function killChildrenNow(): void {
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
}

/** Tracks a child until it exits. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface Anomaly {
  readonly atMs: number;
  readonly instance: InstanceName;
  readonly what: string;
  readonly tail: string;
}

interface Live {
  readonly process: SluiceProcess;
  readonly idMode: IdMode;
  readonly log: WriteStream;
  /** Set before the harness signals the process, so its exit is not an anomaly. */
  expectedExit: boolean;
}

export class Instances {
  readonly #live = new Map<InstanceName, Live>();
  readonly anomalies: Anomaly[] = [];
  readonly #spawns = new Map<InstanceName, number>();
  #restarting = Promise.resolve();
  /** While false (a PostgreSQL or registry cut), restarts after a crash wait: a start-up without them exits 1 by design. */
  dependenciesUp = true;
  #closing = false;

  constructor(
    private readonly options: {
      readonly topology: string;
      readonly cwd: string;
      readonly env: NodeJS.ProcessEnv;
      readonly logDir: string;
      readonly singleThread: boolean;
      readonly started: number;
    },
  ) {
    mkdirSync(options.logDir, { recursive: true });
  }

  get names(): InstanceName[] {
    return [...this.#live.keys()];
  }

  has(name: InstanceName): boolean {
    return this.#live.has(name);
  }

  spawn(name: InstanceName, idMode: IdMode): void {
    if (this.#live.has(name)) throw new Error(`chaos: instance ${name} is already running`);
    const n = (this.#spawns.get(name) ?? 0) + 1;
    this.#spawns.set(name, n);
    const args = ['run', this.options.topology, '--log-level', 'info'];
    if (idMode === 'fixed') args.push('--instance-id', `chaos-${name}`);
    if (this.options.singleThread) args.push('--no-processing-thread');
    const process = new SluiceProcess(args, { cwd: this.options.cwd, env: this.options.env });
    track(process.child);
    const log = createWriteStream(join(this.options.logDir, `${name}-${n}.log`));
    process.child.stderr!.on('data', (chunk: string) => log.write(chunk));
    const live: Live = { process, idMode, log, expectedExit: false };
    this.#live.set(name, live);
    void process.exited.then(({ code, signal }) => {
      log.end(`\n# exit code ${code} signal ${signal}\n`);
      if (this.#live.get(name) === live) this.#live.delete(name);
      if (live.expectedExit || this.#closing) return;
      this.anomalies.push({ atMs: Date.now() - this.options.started, instance: name, what: `exited on its own (code ${code}, signal ${signal})`, tail: process.tail(20) });
      // Start it again once the database answers, so the run can settle and be judged.
      this.#restarting = this.#restarting.then(async () => {
        while (!this.dependenciesUp && !this.#closing) await sleep(200);
        await sleep(1_000);
        if (!this.#closing && !this.#live.has(name)) this.spawn(name, idMode);
      });
    });
  }

  /** kill -9; resolves once it is gone. */
  async kill9(name: InstanceName): Promise<boolean> {
    const live = this.#live.get(name);
    if (live === undefined) return false;
    live.expectedExit = true;
    live.process.kill('SIGKILL');
    await Promise.race([live.process.exited, sleep(10_000)]);
    return true;
  }

  signal(name: InstanceName, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
    const live = this.#live.get(name);
    if (live === undefined) return false;
    live.process.kill(signal);
    return true;
  }

  /**
   * SIGTERM, and the exit it promises (0 after committing and leaving the group) within `timeoutMs`;
   * otherwise an anomaly and kill -9.
   */
  async stop(name: InstanceName, timeoutMs: number): Promise<void> {
    const live = this.#live.get(name);
    if (live === undefined) return;
    live.expectedExit = true;
    live.process.kill('SIGCONT');
    live.process.kill('SIGTERM');
    const exit = await Promise.race([live.process.exited, sleep(timeoutMs).then(() => undefined)]);
    if (exit === undefined) {
      this.anomalies.push({ atMs: Date.now() - this.options.started, instance: name, what: `did not exit within ${timeoutMs} ms of SIGTERM`, tail: live.process.tail(20) });
      live.process.kill('SIGKILL');
      await live.process.exited;
    } else if (exit.code !== 0) {
      this.anomalies.push({ atMs: Date.now() - this.options.started, instance: name, what: `exited with code ${exit.code} (signal ${exit.signal}) after SIGTERM`, tail: live.process.tail(20) });
    }
  }

  /** Waits until every running instance is past its start-up checks (it serves metrics), at most `timeoutMs`. */
  async started(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#live.values()].map((l) => l.process.waitForLog('metrics on http://', timeoutMs).catch(() => undefined)));
  }

  /** Whether no instance runs (a crash being restarted counts as running soon). */
  get empty(): boolean {
    return this.#live.size === 0;
  }

  async closeAll(): Promise<void> {
    this.#closing = true;
    for (const [name, live] of [...this.#live]) {
      live.expectedExit = true;
      live.process.kill('SIGCONT');
      live.process.kill('SIGKILL');
      await Promise.race([live.process.exited, sleep(10_000)]);
      this.#live.delete(name);
    }
  }

  /** The last log lines of an instance (for reports). */
  tail(name: InstanceName, n = 20): string {
    return this.#live.get(name)?.process.tail(n) ?? '';
  }
}
