import type { TopologyPlan } from '../plan/topology-plan.js';
import { alignmentBounds } from './alignment-bounds.js';
import { EventTimeAlignment, type AlignmentChunk } from './event-time-alignment.js';
import type { BatchResult } from './records.js';
import type { StreamConsumer, TopicPartitionRef } from './stream-transport.js';

/**
 * `TopologyRunner`'s `alignment` option: `false` turns event-time alignment
 * off; `maxAheadMs` replaces the bound derived from the downstream windows'
 * grace (see {@link alignmentBounds}).
 *
 * @example
 * ```ts
 * const option: AlignmentOption = { maxAheadMs: 10_000 };
 * ```
 */
export type AlignmentOption = { readonly maxAheadMs?: number } | false;

/**
 * The event-time alignments of one runner: one {@link EventTimeAlignment}
 * per sub-topology that writes to a repartition topic read by a window, each
 * over the partitions of that sub-topology this process owns.
 *
 * @example
 * ```ts
 * const alignment = new TopologyAlignment(plan, undefined);
 * alignment.track(0, { topic: 'bus.telemetry', partition: 2 }); // on assignment
 * await alignment.drain(consumer.ends?.(), consumer, (chunk) => processChunk(chunk));
 * ```
 */
export class TopologyAlignment {
  readonly #bySubTopology = new Map<number, EventTimeAlignment>();

  constructor(plan: TopologyPlan, option: AlignmentOption | undefined) {
    if (option === false) return;
    for (const [id, a] of alignmentBounds(plan, option?.maxAheadMs)) this.#bySubTopology.set(id, new EventTimeAlignment(a.maxAheadMs, a.repartitionTopics));
  }

  /** Follows an assigned input partition; returns the alignment its records must be offered to, if its sub-topology has one. */
  track(subTopologyId: number, partition: TopicPartitionRef): EventTimeAlignment | undefined {
    const alignment = this.#bySubTopology.get(subTopologyId);
    alignment?.track(partition);
    return alignment;
  }

  /** Forgets a revoked partition (by `partitionKey`). */
  untrack(key: string): void {
    for (const alignment of this.#bySubTopology.values()) alignment.untrack(key);
  }

  /** Once an assignment's tasks are built (see `EventTimeAlignment.restartQuietClocks`). */
  restartQuietClocks(): void {
    for (const alignment of this.#bySubTopology.values()) alignment.restartQuietClocks();
  }

  /** After a rewind to the committed offsets: nothing held, nothing known. */
  clear(): void {
    for (const alignment of this.#bySubTopology.values()) alignment.clear();
  }

  /** Whether held records may be processed now (a checkpoint is worth it without new records). */
  ready(ends: ReadonlyMap<string, bigint> | undefined): boolean {
    for (const alignment of this.#bySubTopology.values()) if (alignment.ready(ends)) return true;
    return false;
  }

  /**
   * Processes every chunk the alignments release, in their order, then
   * pauses the partitions left holding records and resumes the others.
   */
  async drain(
    ends: ReadonlyMap<string, bigint> | undefined,
    consumer: Pick<StreamConsumer, 'pause' | 'resume'>,
    process: (chunk: AlignmentChunk) => Promise<Pick<BatchResult, 'outputs' | 'eventTimes'>>,
  ): Promise<void> {
    for (const alignment of this.#bySubTopology.values()) {
      for (let chunk = alignment.next(ends); chunk !== undefined; chunk = alignment.next(ends)) {
        const result = await process(chunk);
        alignment.advanced(chunk, result.outputs, result.eventTimes);
      }
      const { pause, resume } = alignment.pausing();
      consumer.pause(pause);
      consumer.resume(resume);
    }
  }
}
