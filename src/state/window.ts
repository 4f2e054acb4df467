/**
 * A time window. Tumbling and hopping windows are half-open `[start, end)`;
 * session windows are closed `[start, end]` (`end` is the last event's time,
 * as in Kafka Streams). Times are epoch milliseconds.
 *
 * @example
 * ```ts
 * const minute: Window = { start: 60_000, end: 120_000 }; // holds 60000..119999
 * ```
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}
