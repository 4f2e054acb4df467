import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratedRecord } from './event-generator.js';

/**
 * How far a run has got.
 *
 * @example
 * ```ts
 * const p: ProduceProgress = { sent: 1_000, invalid: 20, late: 10, elapsedMs: 2_000 };
 * ```
 */
export interface ProduceProgress {
  readonly sent: number;
  readonly invalid: number;
  readonly late: number;
  readonly elapsedMs: number;
}

/**
 * Options of {@link produceWorkload}.
 *
 * @example
 * ```ts
 * const o: ProduceOptions = { count: 10_000, rate: 500, batchSize: 500 };
 * ```
 */
export interface ProduceOptions {
  /** Records to send; `Infinity` runs until `signal` aborts. */
  readonly count: number;
  /** Records per second; undefined: as fast as `send` resolves. */
  readonly rate?: number;
  /** Largest batch handed to `send` (with a rate, batches also go at least 10 times a second). */
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Called after each batch. */
  readonly onBatch?: (progress: ProduceProgress) => void;
  /** Injected in tests. */
  readonly clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
}

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) => sleep(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined),
};

/**
 * Sends `count` records in batches, one `send` (one delivery wait) per
 * batch, never per record; with a rate, each batch waits until its last
 * record is due, so the average rate holds without bursts above a tenth of
 * a second's worth. Stops after the batch in hand when `signal` aborts.
 *
 * @example
 * ```ts
 * await produceWorkload(workload.records(options), (batch) => producer.produceAll(batch.map(encode)), { count: 10_000, rate: 1_000, batchSize: 500 });
 * // → { sent: 10000, invalid: 200, late: 100, elapsedMs: 10012 }
 * ```
 */
export async function produceWorkload<V>(
  records: Iterable<GeneratedRecord<V>>,
  send: (batch: readonly GeneratedRecord<V>[]) => Promise<void>,
  options: ProduceOptions,
): Promise<ProduceProgress> {
  const clock = options.clock ?? realClock;
  if (!(options.batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${options.batchSize}`);
  if (options.rate !== undefined && !(options.rate > 0)) throw new Error(`rate must be positive, got ${options.rate}`);
  const batchSize = options.rate === undefined ? options.batchSize : Math.max(1, Math.min(options.batchSize, Math.ceil(options.rate / 10)));
  const started = clock.now();
  const iterator = records[Symbol.iterator]();
  let sent = 0;
  let invalid = 0;
  let late = 0;
  const progress = (): ProduceProgress => ({ sent, invalid, late, elapsedMs: clock.now() - started });
  while (sent < options.count && !options.signal?.aborted) {
    const batch: GeneratedRecord<V>[] = [];
    while (batch.length < batchSize && sent + batch.length < options.count) {
      const next = iterator.next();
      if (next.done) break;
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    if (options.rate !== undefined) {
      const dueMs = started + ((sent + batch.length) / options.rate) * 1000;
      const waitMs = dueMs - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs, options.signal);
      if (options.signal?.aborted) break;
    }
    await send(batch);
    sent += batch.length;
    for (const r of batch) {
      if (r.kind === 'invalid') invalid += 1;
      else if (r.kind === 'late') late += 1;
    }
    options.onBatch?.(progress());
  }
  return progress();
}
