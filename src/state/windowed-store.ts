import type { CompiledAggregates } from './aggregators/aggregate-map.js';
import type { ClosedWindow, RestoredWindow, WindowEntry } from './window-entry.js';

/**
 * Options for {@link WindowedStore.restore}.
 *
 * @example
 * ```ts
 * const options: RestoreOptions = { graceMs: 30_000, nowWallMs: Date.now() };
 * ```
 */
export interface RestoreOptions {
  /**
   * Grace of the window step: windows with `end + grace <= watermark` are not
   * restored. A session store has its grace from its constructor and ignores this.
   */
  readonly graceMs: number;
  /**
   * A watermark known from elsewhere; the restored watermark is the highest of
   * this, the store's current one and every restored `timestamp`.
   */
  readonly watermarkMs?: number;
  /** Starts the idle clock now, so restored windows of an idle partition can close. */
  readonly nowWallMs?: number;
  /**
   * Whether restored timestamps move the watermark (default true). False when
   * `watermarkMs` is the watermark the task had kept: windows it had not
   * closed stay open, whatever event times they hold.
   */
  readonly watermarkFromTimestamps?: boolean;
}

/**
 * What a task's window state offers whatever the window kind: the watermark,
 * the open windows, closing and restoring. {@link WindowStore} (tumbling and
 * hopping) and {@link SessionStore} implement it; how a record enters a
 * window differs by kind (`upsertSlot` per assigned window, `upsertSession`
 * with merges) and is chosen where the store is made. A session store takes
 * its grace when it is made and ignores the `graceMs` arguments.
 *
 * @example
 * ```ts
 * const store: WindowedStore<Reading> = spec.kind === 'session'
 *   ? new SessionStore(aggregators, { gapMs: spec.gapMs, graceMs: 0 })
 *   : new WindowStore(aggregators);
 * store.restore(changelog, { graceMs: 0, nowWallMs: Date.now() }); // open windows restored
 * for (const closed of store.closeIdle(Date.now(), 60_000, 0)) emitFinal(closed);
 * ```
 */
export interface WindowedStore<T> {
  /** The aggregate map, compiled; builds table values from accumulators. */
  readonly aggregates: CompiledAggregates<T>;
  /** Highest event time seen (or reached by idle closing); `-Infinity` before any record. */
  readonly watermark: number;
  /** Windows (or sessions) open. */
  readonly openWindowCount: number;
  /** Advances the watermark; pass the arrival wall time to enable `closeIdle`. */
  observe(eventTimeMs: number, nowWallMs?: number): void;
  /** The open window of `groupKey` starting at `windowStart`, if any. */
  get(groupKey: string, windowStart: number): WindowEntry | undefined;
  /** Open windows, grouped by key in first-seen order. */
  entries(): IterableIterator<WindowEntry>;
  /** Removes and returns the windows the watermark closed, ordered by end, then group key, then start. */
  closeExpired(graceMs: number): readonly ClosedWindow[];
  /** When no record came for `idleMs`, advances the watermark by the wall time passed, then closes what expired. */
  closeIdle(nowWallMs: number, idleMs: number, graceMs: number): readonly ClosedWindow[];
  /** Replaces the content with windows replayed from the state topic; returns the number open. */
  restore(records: Iterable<RestoredWindow>, options: RestoreOptions): number;
}
