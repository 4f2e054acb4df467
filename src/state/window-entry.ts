import type { Window } from './window.js';

/**
 * One open window of one group key in a store. `accumulators` has one slot
 * per aggregate field, in aggregate-map order. `lastUpdated` is the highest
 * event time applied to the window: stamp the table record with it (Kafka
 * Streams does the same), and restore derives the watermark from it.
 *
 * Entries are live views: the store mutates `accumulators` and
 * `lastUpdated` of open windows, so read what you need before the next update.
 *
 * @example
 * ```ts
 * const e: WindowEntry = { groupKey: 'route-7', window: { start: 60000, end: 120000 }, accumulators: [3], lastUpdated: 95000 };
 * ```
 */
export interface WindowEntry {
  readonly groupKey: string;
  readonly window: Window;
  readonly accumulators: readonly unknown[];
  readonly lastUpdated: number;
}

/**
 * A window removed from the store because it closed; emit its final value.
 *
 * @example
 * ```ts
 * for (const closed of store.closeExpired(graceMs)) emitFinal(closed.groupKey, closed.window, closed.accumulators);
 * ```
 */
export type ClosedWindow = WindowEntry;

/**
 * A record read back from the task's partition of the table topic on
 * assignment. `value: null` is a tombstone and removes the window.
 * `timestamp` is the table record's timestamp (the entry's `lastUpdated`).
 *
 * @example
 * ```ts
 * store.restore([{ groupKey: 'route-7', window: { start: 60000, end: 120000 }, value: { events: 3 }, timestamp: 95000 }], { graceMs: 30000 });
 * ```
 */
export interface RestoredWindow {
  readonly groupKey: string;
  readonly window: Window;
  readonly value: Readonly<Record<string, unknown>> | null;
  readonly timestamp: number;
}

/** Internal mutable view of an entry. */
export interface MutableWindowEntry {
  readonly groupKey: string;
  window: Window;
  accumulators: unknown[];
  lastUpdated: number;
}
