import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/sinks/postgres/open-database.js';
import { lockPgliteDir, PgliteLockedError, type PgliteLock } from '../../../src/sinks/postgres/pglite-lock.js';

const CLOSED = 'postgres://postgres@127.0.0.1:1/postgres';
const holderScript = new URL('./support/pglite-holder.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'sluice-pglite-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Seeded: the same run every time, different per seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('lockPgliteDir (processes simulated by pid)', () => {
  it('follows a model of one holder at a time through seeded acquire / release / die / garbage sequences', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = random(seed);
      const dataDir = join(root, `model-${seed}`, 'pglite');
      const file = `${dataDir}.lock`;
      // The model: who the file names, who is alive, who holds a lock object.
      let holder: number | undefined;
      const alive = new Set<number>();
      const locks = new Map<number, PgliteLock>();
      let nextPid = 1000 + seed * 100;
      const isAlive = (pid: number): boolean => alive.has(pid);
      for (let step = 0; step < 200; step++) {
        const op = rnd();
        if (op < 0.3 || alive.size === 0) {
          // A new process starts and asks (pids never come back here: that case has its own test).
          const pid = nextPid++;
          alive.add(pid);
          const free = holder === undefined || !alive.has(holder);
          if (free) {
            locks.set(pid, lockPgliteDir(dataDir, { pid, isAlive }));
            holder = pid;
          } else {
            const error = catchError(() => lockPgliteDir(dataDir, { pid, isAlive }));
            expect(error, `seed ${seed} step ${step}`).toBeInstanceOf(PgliteLockedError);
            expect((error as PgliteLockedError).holder).toBe(holder);
          }
        } else if (op < 0.5) {
          // A live process asks again, e.g. a second open in one process: refused while it holds.
          const pid = [...alive][Math.floor(rnd() * alive.size)]!;
          if (locks.has(pid) || (holder !== undefined && alive.has(holder))) {
            expect(catchError(() => lockPgliteDir(dataDir, { pid, isAlive })), `seed ${seed} step ${step}`).toBeInstanceOf(PgliteLockedError);
          } else {
            locks.set(pid, lockPgliteDir(dataDir, { pid, isAlive }));
            holder = pid;
          }
        } else if (op < 0.7) {
          // A clean close.
          const pid = [...locks.keys()][Math.floor(rnd() * locks.size)];
          if (pid === undefined) continue;
          locks.get(pid)!.release();
          locks.delete(pid);
          if (holder === pid) holder = undefined;
        } else if (op < 0.95) {
          // kill -9: the process is gone, its lock file stays.
          const pid = [...alive][Math.floor(rnd() * alive.size)]!;
          alive.delete(pid);
          locks.delete(pid);
        } else if (locks.size === 0) {
          // A lock file that names no process (written by hand, a full disk): not a holder.
          writeFileSync(file, rnd() < 0.5 ? '' : 'not a pid\n');
          holder = undefined;
        }
        const onDisk = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        if (holder !== undefined) expect(onDisk, `seed ${seed} step ${step}`).toBe(`${holder}\n`);
        else if (onDisk !== undefined) expect(onDisk, `seed ${seed} step ${step}`).not.toMatch(/^\d+\n$/);
      }
      for (const lock of locks.values()) lock.release();
    }
  });

  it('refuses naming the holder, the directory and both ways out', () => {
    const dataDir = join(root, 'message', 'pglite');
    const first = lockPgliteDir(dataDir, { pid: 4242, isAlive: () => true });
    try {
      const error = catchError(() => lockPgliteDir(dataDir, { pid: 4343, isAlive: () => true }));
      expect(error).toBeInstanceOf(PgliteLockedError);
      const message = (error as Error).message;
      expect(message).toContain(`the embedded database at ${dataDir} is in use by process 4242`);
      expect(message).toContain(`${dataDir}.lock`);
      expect(message).toMatch(/one sluice process per project/);
      expect(message).toMatch(/set DATABASE_URL to a PostgreSQL server to run several instances/);
    } finally {
      first.release();
    }
  });

  it('takes over a lock naming its own pid that it does not hold: left by an earlier process with that pid (a restarted container)', () => {
    const dataDir = join(root, 'own-pid', 'pglite');
    lockPgliteDir(dataDir, { pid: 1 }); // Never released: that process was killed.
    writeFileSync(`${dataDir}.lock`, `${process.pid}\n`);
    const lock = lockPgliteDir(dataDir);
    expect(readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    // … and now that it holds it, a second open in this process is refused.
    expect(catchError(() => lockPgliteDir(dataDir))).toBeInstanceOf(PgliteLockedError);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
  });
});

/** A running pglite-holder child and what it printed. */
class Holder {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];
  #stderr = '';

  constructor(dir: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (buffer + chunk).split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) this.events.push(JSON.parse(part) as Record<string, unknown>);
      for (const wake of this.#waiters) wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.#waiters.forEach((wake) => wake()));
  }

  get lastCommitted(): number {
    return this.events.reduce((n, e) => (typeof e.committed === 'number' ? Math.max(n, e.committed) : n), -1);
  }

  /** Resolves when `done()` holds; fails when the process exits first. */
  async until(what: string, done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`holder exited before ${what}: ${JSON.stringify(this.events.slice(-3))} ${this.#stderr}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      this.#waiters = [];
    }
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin!.end();
    return this.exited;
  }
}

/** Every transaction 0..last holds its ten rows, nothing else is there: none lost, none torn, none doubled. */
async function committedTransactions(dir: string): Promise<number> {
  const opened = await openDatabase({ defaultDatabaseUrl: CLOSED, pgliteDir: dir, probeTimeoutMs: 500 });
  try {
    const { rows } = await sql<{ n: number; rows: number; parts: number }>`
      select n, count(*)::int as rows, count(distinct i)::int as parts from txns group by n order by n`.execute(opened.db);
    rows.forEach((r, index) => expect(r, `transaction ${index}`).toEqual({ n: index, rows: 10, parts: 10 }));
    return rows.length;
  } finally {
    await opened.close();
  }
}

describe('one process per embedded database', () => {
  it('a second process on the same directory fails at once naming the first; the first keeps writing and its data is intact', async () => {
    const dir = join(root, 'two', 'pglite');
    const first = new Holder(dir);
    try {
      await first.until('3 commits', () => first.lastCommitted >= 3);
      const second = new Holder(dir);
      expect(await second.exited).toEqual({ code: 3, signal: null });
      const refused = String(second.events.find((e) => 'refused' in e)?.refused);
      expect(refused).toContain(`the embedded database at ${dir} is in use by process ${first.child.pid}`);
      expect(refused).toMatch(/set DATABASE_URL to a PostgreSQL server/);
      const before = first.lastCommitted;
      await first.until('more commits after the refusal', () => first.lastCommitted >= before + 3);
    } finally {
      expect(await first.stop()).toEqual({ code: 0, signal: null });
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
    expect(await committedTransactions(dir)).toBe(first.lastCommitted + 1);
  });

  it('after kill -9 the next process takes the stale lock over and opens the database with every acknowledged transaction', async () => {
    const dir = join(root, 'killed', 'pglite');
    const rnd = random(19);
    let acknowledged = -1;
    for (let round = 0; round < 3; round++) {
      const holder = new Holder(dir);
      await holder.until('its first commit', () => holder.lastCommitted > acknowledged);
      const target = holder.lastCommitted + Math.floor(rnd() * 5);
      await holder.until(`commit ${target}`, () => holder.lastCommitted >= target);
      holder.child.kill('SIGKILL');
      expect((await holder.exited).signal).toBe('SIGKILL');
      acknowledged = holder.lastCommitted;
      expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${holder.child.pid}\n`);
    }
    // Committed before the kill means on disk: a transaction in flight may be there too (its ack never came), never half of one.
    const stored = await committedTransactions(dir);
    expect(stored).toBeGreaterThanOrEqual(acknowledged + 1);
    expect(stored).toBeLessThanOrEqual(acknowledged + 2);
  });

  it('a damaged directory fails naming it and what to do, and is left as it was', async () => {
    const dir = join(root, 'damaged', 'pglite');
    const opened = await openDatabase({ defaultDatabaseUrl: CLOSED, pgliteDir: dir, probeTimeoutMs: 500 });
    await sql`create table kept (a int)`.execute(opened.db);
    await opened.close();
    truncateSync(join(dir, 'global', 'pg_control'), 0);
    const error = await openDatabase({ defaultDatabaseUrl: CLOSED, pgliteDir: dir, probeTimeoutMs: 500 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`the embedded database at ${dir} could not be opened`);
    expect((error as Error).message).toContain(`mv ${dir} ${dir}.damaged`);
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    // The failed open let go of the lock.
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}
