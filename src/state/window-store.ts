import { CompiledAggregates, type AggregateMap } from './aggregators/aggregate-map.js';
import { EventClock } from './event-clock.js';
import { ExpiryHeap } from './expiry-heap.js';
import { isLateFor } from './watermark.js';
import type { Window } from './window.js';
import type { ClosedWindow, MutableWindowEntry, RestoredWindow, WindowEntry } from './window-entry.js';

const NOTHING_CLOSED: readonly ClosedWindow[] = Object.freeze([]);

/**
 * Options for {@link WindowStore.restore}.
 *
 * @example
 * ```ts
 * const options: RestoreOptions = { graceMs: 30_000, nowWallMs: Date.now() };
 * ```
 */
export interface RestoreOptions {
  /** Grace of the window step: windows with `end + grace <= watermark` are not restored. */
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
 * In-memory state of one task's tumbling or hopping windows: per (group key,
 * window start), one accumulator per aggregate field. Pure and synchronous;
 * the engine decides what to emit and when.
 *
 * Per record: `observe` the event time, skip windows for which `isLate`, then
 * `upsert`; afterwards `closeExpired` (O(1) when nothing closes).
 *
 * @example
 * ```ts
 * const store = new WindowStore({ events: count(), avg_speed: avg((e: E) => e.speed) });
 * store.observe(e.timestamp);
 * for (const w of assignWindows(tumbling('1m'), e.timestamp)) {
 *   if (store.isLate(w, 30_000)) sendToDlq(e, 'late');
 *   else emitUpdate(store.upsert('route-7', w, e, e.timestamp));
 * }
 * for (const closed of store.closeExpired(30_000)) emitFinal(closed);
 * ```
 */
export class WindowStore<T> {
  /** The aggregate map, compiled; use it to build table values from entries. */
  readonly aggregates: CompiledAggregates<T>;
  private readonly clock = new EventClock();
  private readonly groups = new Map<string, Map<number, MutableWindowEntry>>();
  private readonly heap = new ExpiryHeap<MutableWindowEntry>();
  private open = 0;

  constructor(aggregates: AggregateMap<T>) {
    this.aggregates = new CompiledAggregates(aggregates);
  }

  /** Highest event time seen (or reached by idle closing); `-Infinity` before any record. */
  get watermark(): number {
    return this.clock.watermark;
  }

  /** Number of windows held. */
  get openWindowCount(): number {
    return this.open;
  }

  /** Advances the watermark; pass the arrival wall time to enable {@link WindowStore.closeIdle}. */
  observe(eventTimeMs: number, nowWallMs?: number): void {
    this.clock.observe(eventTimeMs, nowWallMs);
  }

  /**
   * True when the window no longer accepts records: `watermark >= end + grace`,
   * with the store's watermark or `atLeastMs` (a record's own stamp), whichever is higher.
   */
  isLate(window: Window, graceMs: number, atLeastMs: number = Number.NEGATIVE_INFINITY): boolean {
    return isLateFor(window.end, graceMs, Math.max(this.clock.watermark, atLeastMs));
  }

  /**
   * Applies every aggregator to `record` in the window, creating the window if
   * needed (the window is copied, so a reused slot from `assignWindowsInto`
   * is fine). Returns the live entry. Does not check lateness: call `isLate` first.
   *
   * @param eventTimeMs - the record's event time, kept as `lastUpdated`; defaults to the watermark.
   */
  upsert(groupKey: string, window: Window, record: T, eventTimeMs: number = this.clock.watermark): WindowEntry {
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      group = new Map();
      this.groups.set(groupKey, group);
    }
    let entry = group.get(window.start);
    if (entry === undefined) {
      entry = {
        groupKey,
        window: Object.freeze({ start: window.start, end: window.end }),
        accumulators: this.aggregates.init(),
        lastUpdated: eventTimeMs,
      };
      group.set(window.start, entry);
      this.heap.push({ at: window.end, groupKey, start: window.start, subject: entry });
      this.open++;
    } else if (eventTimeMs > entry.lastUpdated) {
      entry.lastUpdated = eventTimeMs;
    }
    this.aggregates.add(entry.accumulators, record);
    return entry;
  }

  /** The open window of `groupKey` starting at `windowStart`, if any. */
  get(groupKey: string, windowStart: number): WindowEntry | undefined {
    return this.groups.get(groupKey)?.get(windowStart);
  }

  /** Open windows, grouped by key in first-seen order. */
  *entries(): IterableIterator<WindowEntry> {
    for (const group of this.groups.values()) yield* group.values();
  }

  /**
   * Removes and returns the windows that closed: `end + grace <= watermark`,
   * ordered by end, then group key, then start. Returns a shared empty array
   * when nothing closed.
   */
  closeExpired(graceMs: number): readonly ClosedWindow[] {
    const watermark = this.clock.watermark;
    let closed: ClosedWindow[] | undefined;
    for (let top = this.heap.peek(); top !== undefined && isLateFor(top.at, graceMs, watermark); top = this.heap.peek()) {
      this.heap.pop();
      const group = this.groups.get(top.groupKey);
      if (group === undefined || group.get(top.start) !== top.subject) continue;
      group.delete(top.start);
      if (group.size === 0) this.groups.delete(top.groupKey);
      this.open--;
      (closed ??= []).push(top.subject);
    }
    return closed ?? NOTHING_CLOSED;
  }

  /**
   * Wall-clock closing for an idle partition (see {@link EventClock} for the
   * policy): when no record was observed for `idleMs`, advances the watermark
   * by the elapsed wall time, then closes what expired.
   *
   * @example
   * ```ts
   * setInterval(() => store.closeIdle(Date.now(), 60_000, 30_000).forEach(emitFinal), 1_000);
   * ```
   */
  closeIdle(nowWallMs: number, idleMs: number, graceMs: number): readonly ClosedWindow[] {
    if (!this.clock.advanceIfIdle(nowWallMs, idleMs)) return NOTHING_CLOSED;
    return this.closeExpired(graceMs);
  }

  /**
   * Replaces the store's content with the windows replayed from the task's
   * partition of the table topic, in topic order (later records win,
   * tombstones delete). The watermark becomes the highest restored timestamp
   * (or `watermarkMs`); windows already closed for it are skipped. Returns the
   * number of open windows restored.
   *
   * @example
   * ```ts
   * const n = store.restore(tableRecords, { graceMs: 30_000, nowWallMs: Date.now() });
   * ```
   */
  restore(records: Iterable<RestoredWindow>, options: RestoreOptions): number {
    const latest = new Map<string, RestoredWindow>();
    let watermark = Math.max(this.clock.watermark, options.watermarkMs ?? Number.NEGATIVE_INFINITY);
    for (const r of records) {
      // A separator that cannot occur in text keys keeps (key, start) pairs distinct.
      latest.set(`${r.groupKey}\u0000${r.window.start}`, r);
      if (r.timestamp > watermark && options.watermarkFromTimestamps !== false) watermark = r.timestamp;
    }
    this.groups.clear();
    this.heap.clear();
    this.open = 0;
    this.clock.advanceTo(watermark);
    if (options.nowWallMs !== undefined) this.clock.startIdleClock(options.nowWallMs);
    for (const r of latest.values()) {
      if (r.value === null || this.isLate(r.window, options.graceMs)) continue;
      const entry: MutableWindowEntry = {
        groupKey: r.groupKey,
        window: Object.freeze({ start: r.window.start, end: r.window.end }),
        accumulators: this.aggregates.fromTableValue(r.value),
        lastUpdated: r.timestamp,
      };
      let group = this.groups.get(r.groupKey);
      if (group === undefined) {
        group = new Map();
        this.groups.set(r.groupKey, group);
      }
      group.set(r.window.start, entry);
      this.heap.push({ at: r.window.end, groupKey: r.groupKey, start: r.window.start, subject: entry });
      this.open++;
    }
    return this.open;
  }
}
