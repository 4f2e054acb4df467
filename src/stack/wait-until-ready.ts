import { setTimeout as sleep } from 'node:timers/promises';
import { errorText } from '../error-text.js';

/**
 * Polls `check` until it resolves, `gaveUp()` reports a reason to stop early
 * (the process died), or the timeout passes. Returns `undefined` when ready,
 * else the reason it is not — never hangs.
 *
 * @example
 * ```ts
 * const failure = await waitUntilReady({ timeoutMs: 60_000, check: () => probe(), gaveUp: () => dead ? 'exited' : undefined });
 * if (failure) throw new Error(failure);
 * ```
 */
export async function waitUntilReady(options: {
  timeoutMs: number;
  check: (remainingMs: number) => Promise<void>;
  gaveUp?: () => string | undefined;
  intervalMs?: number;
}): Promise<string | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    const reason = options.gaveUp?.();
    if (reason) return reason;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return `not ready after ${Math.round(options.timeoutMs / 1000)} s (last error: ${lastError})`;
    try {
      await options.check(Math.min(remaining, 5_000));
      return undefined;
    } catch (error) {
      lastError = errorText(error);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
