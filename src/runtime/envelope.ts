import type { InputRecord } from './records.js';

/**
 * A record inside a task: the value the user sees plus what the engine
 * carries alongside it (key, event time, the input record it came from).
 *
 * @example
 * ```ts
 * const env: Envelope = { value: { bus_id: 'b1' }, key: null, eventTime: 1700000000000, origin: input };
 * ```
 */
export interface Envelope {
  readonly value: unknown;
  /** The record key: the input's key bytes, or the group key after a repartition. */
  readonly key: Buffer | null;
  readonly eventTime: number;
  /** The consumed record this one derives from; DLQ records carry its bytes. */
  readonly origin: InputRecord;
}
