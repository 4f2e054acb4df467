import type { OriginWatermarksSnapshot } from './origin-watermarks.js';

/**
 * Event-time progress a task keeps across restarts, committed with its input
 * offsets (as the offsets' metadata, in the same transaction — Kafka Streams
 * keeps its partition time there too), so it is exactly as durable as the
 * position it belongs to.
 *
 * - `sinks`: per repartition topic the task writes, the watermark it had
 *   stamped on its records (a restarted task must not stamp lower ones);
 * - `origins`: for a task reading a repartition topic, what it had heard of
 *   its upstream tasks.
 *
 * @example
 * ```ts
 * const progress: TaskProgress = { v: 1, sinks: { 'events-pipeline.by-type-repartition': 1700000059000 } };
 * ```
 */
export interface TaskProgress {
  readonly v: 1;
  /**
   * A task reading several topics commits its progress with the input partitions of each batch:
   * the one with the highest `seq` is the newest (see {@link newestTaskProgress}).
   */
  readonly seq?: number;
  readonly sinks?: Readonly<Record<string, number>>;
  readonly origins?: OriginWatermarksSnapshot;
}

/**
 * The metadata string for a commit.
 *
 * @example
 * ```ts
 * encodeTaskProgress({ v: 1, sinks: { t: 60000 } }); // '{"v":1,"sinks":{"t":60000}}'
 * ```
 */
export function encodeTaskProgress(progress: TaskProgress): string {
  return JSON.stringify(progress);
}

/**
 * Reads a commit's metadata back; `undefined` for none, or for metadata that
 * is not Sluice's (another tool committed for the group), which is then
 * treated like a task's first start.
 *
 * @example
 * ```ts
 * decodeTaskProgress('{"v":1,"sinks":{"t":60000}}'); // { v: 1, sinks: { t: 60000 } }
 * decodeTaskProgress('');                            // undefined
 * ```
 */
export function decodeTaskProgress(text: string | undefined): TaskProgress | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || (parsed as { v?: unknown }).v !== 1) return undefined;
    return parsed as TaskProgress;
  } catch {
    return undefined;
  }
}

/**
 * Of the metadata committed with a task's input partitions, the newest: the
 * one with the highest `seq` (a task with one input has one, without `seq`).
 *
 * @example
 * ```ts
 * newestTaskProgress(['{"v":1,"seq":4}', undefined, '{"v":1,"seq":7}']); // '{"v":1,"seq":7}'
 * ```
 */
export function newestTaskProgress(texts: readonly (string | undefined)[]): string | undefined {
  let newest: string | undefined;
  let newestSeq = Number.NEGATIVE_INFINITY;
  for (const text of texts) {
    const progress = decodeTaskProgress(text);
    if (progress === undefined) continue;
    const seq = progress.seq ?? 0;
    if (seq > newestSeq) {
      newest = text;
      newestSeq = seq;
    }
  }
  return newest;
}
