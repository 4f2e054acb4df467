import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../../src/stack/managed-process.js';
import { waitUntilReady } from '../../../src/stack/wait-until-ready.js';

function processIn(dir: string, marker: string): ManagedProcess {
  return new ManagedProcess({ name: 'sleeper', pidFile: join(dir, 'p.pid'), logFile: join(dir, 'p.log'), marker });
}

describe('ManagedProcess', () => {
  it('starts a detached process, finds it by pid file, and stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-proc-'));
    const marker = `sluice-test-${process.pid}-${Date.now()}`;
    const sleeper = processIn(dir, marker);
    const pid = sleeper.start(process.execPath, ['-e', `console.log('hello'); setTimeout(() => {}, 60000)`, marker]);
    expect(sleeper.pid()).toBe(pid);
    const logged = await waitUntilReady({
      timeoutMs: 10_000,
      intervalMs: 20,
      check: async () => { if (!readFileSync(join(dir, 'p.log'), 'utf8').includes('hello')) throw new Error('nothing logged yet'); },
    });
    expect(logged).toBeUndefined();
    expect(await sleeper.stop(5_000)).toBe(true);
    expect(sleeper.running()).toBe(false);
    // Gone, or a zombie this test runner has not reaped yet: either way it no longer runs.
    const state = (() => {
      try {
        return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state);
  });

  it('does not claim a pid whose command line lacks the marker (a recycled pid)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-proc-'));
    writeFileSync(join(dir, 'p.pid'), `${process.pid}\n`);
    const notOurs = processIn(dir, 'a-marker-this-test-runner-does-not-have');
    expect(notOurs.pid()).toBeUndefined();
  });

  it('stop() is a no-op when nothing runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-proc-'));
    expect(await processIn(dir, 'x').stop()).toBe(false);
  });
});

describe('waitUntilReady', () => {
  it('gives up at the timeout with the last error instead of hanging', async () => {
    const started = Date.now();
    const failure = await waitUntilReady({ timeoutMs: 300, intervalMs: 50, check: async () => { throw new Error('refused'); } });
    expect(failure).toMatch(/not ready after .*last error: refused/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
  it('stops early when the process died', async () => {
    const failure = await waitUntilReady({ timeoutMs: 60_000, check: async () => { throw new Error('no'); }, gaveUp: () => 'the Kafka process exited' });
    expect(failure).toBe('the Kafka process exited');
  });
  it('returns undefined once the check passes', async () => {
    let calls = 0;
    const failure = await waitUntilReady({ timeoutMs: 5_000, intervalMs: 10, check: async () => { calls += 1; if (calls < 3) throw new Error('not yet'); } });
    expect(failure).toBeUndefined();
    expect(calls).toBe(3);
  });
});
