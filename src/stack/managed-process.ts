import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A background process the native stack started: its pid lives in a pid file
 * and its output in a log file, so a later `sluice stack down` (another
 * process) can find and stop exactly what `up` started — and nothing else.
 *
 * @example
 * ```ts
 * const kafka = new ManagedProcess({ name: 'kafka', pidFile: '.sluice/kafka/kafka.pid',
 *   logFile: '.sluice/kafka/kafka.log', marker: 'kafka.Kafka' });
 * if (!kafka.running()) kafka.start('java', ['-cp', 'libs/*', 'kafka.Kafka', 'server.properties']);
 * await kafka.stop();
 * ```
 */
export class ManagedProcess {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** A string in the command line that proves a pid is still ours and not a recycled one. */
  readonly marker: string;

  constructor(options: { name: string; pidFile: string; logFile: string; marker: string }) {
    this.name = options.name;
    this.pidFile = options.pidFile;
    this.logFile = options.logFile;
    this.marker = options.marker;
  }

  /** The pid from the pid file when that process is alive and still ours. */
  pid(): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return isOurs(pid, this.marker) ? pid : undefined;
  }

  running(): boolean {
    return this.pid() !== undefined;
  }

  /** Starts the command detached from this process, appending its output to the log file. */
  start(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
    mkdirSync(dirname(this.logFile), { recursive: true });
    const log = openSync(this.logFile, 'a');
    try {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      if (child.pid === undefined) throw new Error(`could not start ${this.name}: ${command} did not spawn`);
      child.unref();
      writeFileSync(this.pidFile, `${child.pid}\n`);
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; removes the pid file. Returns whether anything was stopped. */
  async stop(graceMs = 20_000): Promise<boolean> {
    const pid = this.pid();
    rmSync(this.pidFile, { force: true });
    if (pid === undefined) return false;
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!alive(pid)) return true;
      await sleep(200);
    }
    signal(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
    return true;
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log yet)';
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; /proc tells the truth on Linux.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

function isOurs(pid: number, marker: string): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    // Without /proc (macOS) the pid file is the best evidence we have.
    return true;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
