import type { TopicPartitionRef } from './stream-transport.js';

/**
 * What a runner reports as it works; `src/metrics` turns it into Prometheus
 * metrics. Calls happen once per batch or per event, never per record, so an
 * observer may do real work. Every method is optional to implement through
 * {@link NO_OBSERVER}.
 *
 * @example
 * ```ts
 * const observer: RuntimeObserver = { ...NO_OBSERVER, checkpointCommitted: (t, s) => console.log(t, 'committed in', s, 's') };
 * ```
 */
export interface RuntimeObserver {
  /** Records consumed from one input partition in one batch, and how long the task took on them. */
  batchProcessed(topology: string, input: TopicPartitionRef, records: number, seconds: number): void;
  /** Records produced to one topic in one checkpoint (outputs, tables, repartition and DLQ topics). */
  recordsProduced(topology: string, topic: string, records: number): void;
  /** Records sent to a dead-letter topic, by reason. */
  deadLettered(topology: string, reason: string, records: number): void;
  late(topology: string, records: number): void;
  /** Records a window step refused because its state budget (`maxOpenWindows`) was full. */
  stateOverflow(topology: string, step: string, records: number): void;
  /** From the latest event time in an output record to the moment its checkpoint committed. */
  endToEndLatency(topology: string, seconds: number): void;
  checkpointCommitted(topology: string, seconds: number): void;
  checkpointAborted(topology: string): void;
  rebalanced(topology: string, kind: 'assigned' | 'revoked', partitions: number): void;
  /** Restore progress for one task: records read so far, and whether it is done. */
  restoreProgress(topology: string, input: TopicPartitionRef, records: number, done: boolean): void;
  openWindows(topology: string, input: TopicPartitionRef, windows: number): void;
  /** Records behind the end of each assigned partition. */
  lag(topology: string, input: TopicPartitionRef, records: number): void;
  /** Whether the runner has its tasks assigned and restored. */
  readiness(topology: string, ready: boolean): void;
}

/** An observer that ignores everything. */
export const NO_OBSERVER: RuntimeObserver = Object.freeze({
  batchProcessed: () => {},
  recordsProduced: () => {},
  deadLettered: () => {},
  late: () => {},
  stateOverflow: () => {},
  endToEndLatency: () => {},
  checkpointCommitted: () => {},
  checkpointAborted: () => {},
  rebalanced: () => {},
  restoreProgress: () => {},
  openWindows: () => {},
  lag: () => {},
  readiness: () => {},
});
