import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';

/** How to start a contender: what `spawn` needs. */
export interface ContenderCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Resource use of a process tree, read from /proc. */
export interface ResourceUse {
  /** user + system CPU seconds of the process and its descendants. */
  readonly cpuSeconds: number;
  /** Largest resident set seen (sum over the tree), bytes; the kernel's VmHWM for a single process. */
  readonly peakRssBytes: number;
}

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

function readStat(pid: number): { ppid: number; ticks: number; rssPages: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
  } catch {
    return undefined;
  }
}

function peakOf(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * A contender process under measurement: spawned with its output in a log
 * file, sampled every 100 ms (CPU of the whole tree, RSS), stopped with
 * SIGTERM (SIGKILL after a grace period).
 *
 * @example
 * ```ts
 * const p = ContenderProcess.start({ command: 'java', args: ['-jar', jar] }, '/tmp/ks.log');
 * await p.waitForLine(/READY/);
 * const use = p.sample(); await p.stop();
 * ```
 */
export class ContenderProcess {
  readonly child: ChildProcess;
  readonly startedAt: number;
  #peakRss = 0;
  #lastTicks = 0;
  #stdout = '';
  readonly #timer: NodeJS.Timeout;
  readonly #exited: Promise<number | null>;

  private constructor(child: ChildProcess, logFile: string) {
    this.child = child;
    this.startedAt = performance.now();
    const log = createWriteStream(logFile);
    child.stdout?.on('data', (chunk: Buffer) => {
      this.#stdout += chunk.toString();
      if (this.#stdout.length > 1_000_000) this.#stdout = this.#stdout.slice(-100_000);
      log.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    this.#exited = new Promise((resolve) => child.on('exit', (code) => { log.end(); resolve(code); }));
    this.#timer = setInterval(() => this.sample(), 100);
  }

  static start(command: ContenderCommand, logFile: string): ContenderProcess {
    const child = spawn(command.command, [...command.args], {
      cwd: command.cwd,
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ContenderProcess(child, logFile);
  }

  /** Seconds since spawn. */
  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  get stdout(): string {
    return this.#stdout;
  }

  /** Reads /proc now; the peak is kept across samples. */
  sample(): ResourceUse {
    const root = this.child.pid;
    if (root === undefined) return { cpuSeconds: this.#lastTicks / TICKS_PER_SECOND, peakRssBytes: this.#peakRss };
    const tree = new Set<number>([root]);
    const stats = new Map<number, { ppid: number; ticks: number; rssPages: number }>();
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const stat = readStat(pid);
      if (stat) stats.set(pid, stat);
    }
    // Descendants: repeat until no new child joins (trees are shallow).
    for (let changed = true; changed; ) {
      changed = false;
      for (const [pid, stat] of stats) if (!tree.has(pid) && tree.has(stat.ppid)) { tree.add(pid); changed = true; }
    }
    let ticks = 0;
    let rss = 0;
    for (const pid of tree) {
      const stat = stats.get(pid);
      if (!stat) continue;
      ticks += stat.ticks;
      rss += stat.rssPages * PAGE_BYTES;
    }
    if (tree.size === 1) rss = Math.max(rss, peakOf(root));
    if (ticks > this.#lastTicks) this.#lastTicks = ticks;
    if (rss > this.#peakRss) this.#peakRss = rss;
    return { cpuSeconds: this.#lastTicks / TICKS_PER_SECOND, peakRssBytes: this.#peakRss };
  }

  /** Resolves when stdout has a line matching `pattern`; rejects if the process exits first or on timeout. */
  async waitForLine(pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.#stdout.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (this.child.exitCode !== null) throw new Error(`contender exited with code ${this.child.exitCode} before printing ${pattern}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`contender printed no line matching ${pattern} within ${timeoutMs} ms`);
  }

  /** Resolves with the exit code. */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; returns the exit code. */
  async stop(graceMs = 30_000): Promise<number | null> {
    clearInterval(this.#timer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }
}
