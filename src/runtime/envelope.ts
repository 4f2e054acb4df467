import type { InputRecord } from './records.js';

/**
 * A record inside a task: the value the user sees plus what the engine
 * carries alongside it (key, event time, the input record it came from).
 *
 * @example
 * ```ts
 * const env: Envelope = { value: { bus_id: 'b1' }, key: null, eventTime: 1700000000000, watermark: Number.NEGATIVE_INFINITY, origin: input };
 * ```
 */
export interface Envelope {
  readonly value: unknown;
  /** The record key: the input's key bytes, or the group key after a repartition. */
  readonly key: Buffer | null;
  readonly eventTime: number;
  /**
   * After a repartition: the watermark the upstream task stamped on the record
   * (what its lateness is judged against). `-Infinity` in a task reading a
   * source topic, whose windows keep their own watermark.
   */
  readonly watermark: number;
  /** The consumed record this one derives from; DLQ records carry its bytes. */
  readonly origin: InputRecord;
}
