import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../../src/sinks/retry-with-backoff.js';

const noSleep = async (): Promise<void> => {};

describe('retryWithBackoff', () => {
  it('retries until success with exponential, jittered delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        if (++calls < 4) throw new Error('down');
        return 'ok';
      },
      { initialDelayMs: 100, factor: 2, maxDelayMs: 250, random: () => 0.5, sleep: noSleep, onRetry: (_e, _n, ms) => delays.push(ms) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([50, 100, 125]);
  });

  it('is bounded and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(async () => { throw new Error(`fail ${++calls}`); }, { maxAttempts: 3, sleep: noSleep }),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('stops at once on an error shouldRetry refuses', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(async () => { calls++; throw new Error('fatal'); }, { shouldRetry: () => false, sleep: noSleep }),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
  });

  it('makes the first attempt even when the signal is already aborted, and no retry after it', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    expect(await retryWithBackoff(async () => 'written', { signal: controller.signal, sleep: noSleep })).toBe('written');
    let calls = 0;
    await expect(retryWithBackoff(async () => { calls++; throw new Error('down'); }, { signal: controller.signal, sleep: noSleep })).rejects.toThrow('down');
    expect(calls).toBe(1);
  });

  it('aborts a pending wait', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = retryWithBackoff(async () => { throw new Error('down'); }, {
      initialDelayMs: 60_000, random: () => 1, signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(run).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
