import type { BatchContext } from '../batch-context.js';
import type { InputRecord } from '../records.js';
import type { Processor } from './processor.js';

/**
 * A processor holding per-task state restored from a compacted topic
 * (windowed aggregates, tracked per-key state). `run` must not change the
 * state: it is changed in `apply`, once every fallible step of the batch has
 * succeeded, so a batch that fails leaves the state as it was.
 *
 * @example
 * ```ts
 * const stateful: StatefulProcessor[] = [];
 * await task.restore(changelogRecords); // each restores from records of its stateTopic
 * for (const p of stateful) p.apply(ctx);
 * ```
 */
export interface StatefulProcessor extends Processor {
  /** The compacted topic this state is restored from. */
  readonly stateTopic: string;
  /** Windows open in the state (0 for state that has no windows); a metrics gauge. */
  readonly openWindows: number;
  /**
   * Rebuilds the state from this task's partition of `stateTopic`, in offset
   * order; returns the windows open after it (the gauge). `closeWatermark`,
   * when the task kept one, is where its windows had closed.
   */
  restore(records: readonly InputRecord[], nowMs: number, closeWatermark?: number): Promise<number>;
  /** Applies what `run` queued and emits the resulting records. Never throws for a record. */
  apply(ctx: BatchContext): void;
  /** Wall-clock work (idle close); may do nothing. */
  punctuate(ctx: BatchContext): void;
}
