import { setTimeout as sleep } from 'node:timers/promises';
import { retryWithBackoff } from '../../sinks/index.js';
import type { RuntimeLog } from '../runtime-log.js';
import type { StreamConsumer, TopicPartitionRef } from '../stream-transport.js';
import { errorText } from '../../error-text.js';

/**
 * Options of {@link retryPaused}.
 *
 * @example
 * ```ts
 * const options: RetryPausedOptions = { doing: 'sink stats-pg: writing to stats-pg', consumer, log, retryable: (e) => classifyDatabaseError(e) === 'retry' };
 * ```
 */
export interface RetryPausedOptions {
  /** What is being done, for the log: `sink stats-pg: writing to stats-pg`. */
  readonly doing: string;
  /** Paused on the first failure, polled while waiting, resumed at the end; absent before the group is joined. */
  readonly consumer: StreamConsumer | undefined;
  readonly retryable: (error: unknown) => boolean;
  readonly log: RuntimeLog;
  /** Told which partitions were paused (a sink drops what it buffered for them). */
  readonly onPaused?: (partitions: readonly TopicPartitionRef[]) => void;
  /** Called once per failed attempt (metrics). */
  readonly onRetry?: () => void;
  /** Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Default 5 s: a database back from a restart is used within seconds. */
  readonly maxDelayMs?: number;
  /** Ends the wait: the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs `attempt` until it succeeds, for as long as failures are `retryable`
 * (an infrastructure fault: the database or registry is down), with
 * exponential backoff and the consumer's partitions paused. While it waits it
 * keeps polling the paused consumer, so a long outage does not exceed
 * `max.poll.interval.ms` and cost the group membership; what such a poll
 * returns can only belong to partitions assigned meanwhile, which the caller
 * has not sought yet, so it is dropped and read again after their seek.
 * A failure that is not retryable is thrown as is.
 *
 * @example
 * ```ts
 * const outcome = await retryPaused(() => sink.writeBatch(batch), {
 *   doing: 'sink stats-pg: writing to stats-pg', consumer, log, signal,
 *   retryable: (e) => classifyDatabaseError(e) === 'retry',
 * });
 * // log: WARN sink stats-pg: writing to stats-pg failed; partitions paused, retrying {"error":"connect ECONNREFUSED 127.0.0.1:5432","attempt":1,"delayMs":63}
 * //      INFO sink stats-pg: writing to stats-pg succeeded; partitions resumed
 * ```
 */
export async function retryPaused<T>(attempt: () => Promise<T>, options: RetryPausedOptions): Promise<T> {
  const { consumer, log, doing, signal } = options;
  let paused: TopicPartitionRef[] | undefined;
  const idle = async (ms: number, s?: AbortSignal): Promise<void> => {
    const until = Date.now() + ms;
    for (;;) {
      s?.throwIfAborted();
      const left = Math.min(until - Date.now(), 500);
      if (left <= 0) return;
      if (consumer) await consumer.poll(500, left).catch(() => sleep(left));
      else await sleep(left);
    }
  };
  try {
    const result = await retryWithBackoff(attempt, {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      initialDelayMs: options.initialDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      shouldRetry: (error) => options.retryable(error),
      onRetry: (error, n, delayMs) => {
        options.onRetry?.();
        if (paused === undefined && consumer) {
          paused = consumer.assignment();
          consumer.pause(paused);
          options.onPaused?.(paused);
        }
        if (n === 1 || n % 10 === 0) log('warn', `${doing} failed; partitions paused, retrying`, { error: errorText(error), attempt: n, delayMs });
      },
      sleep: idle,
      ...(signal ? { signal } : {}),
    });
    if (paused !== undefined) log('info', `${doing} succeeded; partitions resumed`);
    return result;
  } finally {
    if (paused !== undefined) {
      try {
        consumer?.resume(paused);
      } catch {
        // Partitions lost in a rebalance meanwhile: nothing to resume.
      }
    }
  }
}

