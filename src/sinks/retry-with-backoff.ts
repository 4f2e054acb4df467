/** Options for {@link retryWithBackoff}. */
export interface RetryOptions {
  /** Total attempts, the first included. Default 10. */
  readonly maxAttempts?: number;
  /** Delay cap before jitter for the first retry. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Which failures are worth another attempt. Default: all. */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to pause partitions and count retries. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops the loop: the pending wait ends and the signal's reason is thrown. */
  readonly signal?: AbortSignal;
  /** Injected for tests; defaults to `Math.random`. */
  readonly random?: () => number;
  /** Injected for tests; defaults to a `setTimeout` sleep honouring `signal`. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt` until it resolves, waiting between failures with
 * exponential backoff and full jitter (`random() * min(max, initial * factor^n)`),
 * which spreads a herd of sinks reconnecting after a database restart.
 *
 * Bounded by `maxAttempts`; the last error is rethrown. Abortable through
 * `signal`, so a rebalance or shutdown does not wait out a long backoff.
 *
 * @example
 * ```ts
 * const outcome = await retryWithBackoff(() => sink.writeBatch(batch), {
 *   shouldRetry: (e) => classifyDatabaseError(e) === 'retry',
 *   onRetry: (e, n, ms) => log.warn(`postgres unavailable, retry ${n} in ${ms} ms`),
 *   signal: shutdown.signal,
 * });
 * ```
 */
export async function retryWithBackoff<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 10;
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 30_000;
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const { signal } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retryWithBackoff: maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  for (let n = 1; ; n++) {
    // The first attempt is always made: the signal stops retrying, not work already in hand
    // (a sink's batch polled as shutdown begins is still written).
    if (n > 1) signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= maxAttempts || signal?.aborted || !(options.shouldRetry?.(error, n) ?? true)) throw error;
      const cap = Math.min(max, initial * factor ** (n - 1));
      const delayMs = Math.round(random() * cap);
      options.onRetry?.(error, n, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
