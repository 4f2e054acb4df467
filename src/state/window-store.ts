import { CompiledAggregates, type AggregateMap } from './aggregators/aggregate-map.js';
import { EventClock } from './event-clock.js';
import { isLateFor } from './watermark.js';
import type { Window } from './window.js';
import type { ClosedWindow, RestoredWindow, WindowEntry } from './window-entry.js';
import { MIN_CAPACITY, NO_SLOT, WindowSlots } from './window-slots.js';
import type { RestoreOptions, WindowedStore } from './windowed-store.js';

const NOTHING_CLOSED: readonly ClosedWindow[] = Object.freeze([]);

/**
 * In-memory state of one task's tumbling or hopping windows: per (group key,
 * window start), one accumulator per aggregate field. Pure and synchronous;
 * the engine decides what to emit and when.
 *
 * Per record: `observe` the event time, skip windows for which `isLate`, then
 * `upsert`; afterwards `closeExpired` (O(1) when nothing closes).
 *
 * Layout (what one open window costs): flat arrays indexed by slot number,
 * no object per window ({@link WindowSlots}); entries handed out (`upsert`,
 * `get`, `entries`, `closeExpired`) are snapshots built on demand, and memory
 * is given back after windows close.
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
export class WindowStore<T> implements WindowedStore<T> {
  /** The aggregate map, compiled; use it to build table values from entries. */
  readonly aggregates: CompiledAggregates<T>;
  private readonly clock = new EventClock();
  private readonly width: number;
  /** The windows, laid out in flat arrays (see {@link WindowSlots}). */
  private readonly slots: WindowSlots;
  /** Reused by {@link WindowStore.tableValueAt}. */
  private readonly scratch: unknown[];

  constructor(aggregates: AggregateMap<T>) {
    this.aggregates = new CompiledAggregates(aggregates);
    this.width = this.aggregates.flatWidth;
    this.slots = new WindowSlots(this.width, this.aggregates.hasObjects);
    this.scratch = new Array<unknown>(this.aggregates.specs.length);
  }

  /** Highest event time seen (or reached by idle closing); `-Infinity` before any record. */
  get watermark(): number {
    return this.clock.watermark;
  }

  /** Number of windows held. */
  get openWindowCount(): number {
    return this.slots.open;
  }

  /** Window slots allocated (at least the open windows; shrinks after closes). For tests and benchmarks. */
  get slotCapacity(): number {
    return this.slots.capacity;
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
   * Open windows that the watermark has not closed yet (`end + grace >
   * watermark`): the ones `closeExpired(graceMs)` would keep. O(1) when
   * none expired, else O(end times that expired).
   */
  unexpiredWindowCount(graceMs: number): number {
    return this.slots.open - this.slots.endTimes.expiredCount(graceMs, this.clock.watermark);
  }

  /** Whether `groupKey` has an open window starting at `windowStart`. */
  has(groupKey: string, windowStart: number): boolean {
    return this.slots.find(groupKey, windowStart) !== NO_SLOT;
  }

  /**
   * Applies every aggregator to `record` in the window, creating the window if
   * needed. Returns a snapshot of the window after the update. Does not check
   * lateness: call `isLate` first.
   *
   * @param eventTimeMs - the record's event time, kept as `lastUpdated`; defaults to the watermark.
   */
  upsert(groupKey: string, window: Window, record: T, eventTimeMs: number = this.clock.watermark): WindowEntry {
    return this.entryAt(this.upsertSlot(groupKey, window, record, eventTimeMs));
  }

  /**
   * {@link WindowStore.upsert} without the snapshot: returns the window's slot
   * number, valid until the next close (`closeExpired`, `closeIdle`,
   * `restore`); read it with `keyAt`, `startAt`, `endAt`, `lastUpdatedAt`,
   * `tableValueAt` or `entryAt`.
   */
  upsertSlot(groupKey: string, window: Window, record: T, eventTimeMs: number = this.clock.watermark): number {
    const slots = this.slots;
    let slot = slots.find(groupKey, window.start);
    if (slot === NO_SLOT) {
      slot = slots.create(groupKey, window.start, window.end, eventTimeMs);
      const objects = this.aggregates.initSlots(slots.accs, slot * this.width);
      if (objects !== undefined) slots.objects[slot] = objects;
    } else if (eventTimeMs > slots.updated[slot]!) {
      slots.updated[slot] = eventTimeMs;
    }
    this.aggregates.addSlots(slots.accs, slot * this.width, slots.objects[slot], record);
    return slot;
  }

  /** Group key of an open window's slot. */
  keyAt(slot: number): string {
    return this.slots.keys[slot]!;
  }

  /** Start of an open window's slot. */
  startAt(slot: number): number {
    return this.slots.starts[slot]!;
  }

  /** End of an open window's slot. */
  endAt(slot: number): number {
    return this.slots.ends[slot]!;
  }

  /** Highest event time applied to an open window's slot. */
  lastUpdatedAt(slot: number): number {
    return this.slots.updated[slot]!;
  }

  /** The table value of an open window's slot (results and state fields), written into `into`. */
  tableValueAt(slot: number, into: Record<string, unknown> = {}): Record<string, unknown> {
    const accs = this.aggregates.readSlots(this.slots.accs, slot * this.width, this.slots.objects[slot], this.scratch);
    return this.aggregates.toTableValue(accs, into);
  }

  /** A snapshot of the open window in `slot`. */
  entryAt(slot: number): WindowEntry {
    const slots = this.slots;
    return {
      groupKey: slots.keys[slot]!,
      window: { start: slots.starts[slot]!, end: slots.ends[slot]! },
      accumulators: this.aggregates.readSlots(slots.accs, slot * this.width, slots.objects[slot]),
      lastUpdated: slots.updated[slot]!,
    };
  }

  /** The open window of `groupKey` starting at `windowStart`, if any (a snapshot). */
  get(groupKey: string, windowStart: number): WindowEntry | undefined {
    const slot = this.slots.find(groupKey, windowStart);
    return slot === NO_SLOT ? undefined : this.entryAt(slot);
  }

  /** Open windows, grouped by key in first-seen order (snapshots). */
  *entries(): IterableIterator<WindowEntry> {
    for (const head of this.slots.heads.values()) {
      for (let slot = head; slot !== NO_SLOT; slot = this.slots.next[slot]!) yield this.entryAt(slot);
    }
  }

  /**
   * Removes and returns the windows that closed: `end + grace <= watermark`,
   * ordered by end, then group key, then start. Returns a shared empty array
   * when nothing closed.
   */
  closeExpired(graceMs: number): readonly ClosedWindow[] {
    let closed: ClosedWindow[] | undefined;
    this.drainExpired(graceMs, (slot) => (closed ??= []).push(this.entryAt(slot)));
    return closed ?? NOTHING_CLOSED;
  }

  /**
   * {@link WindowStore.closeExpired} without snapshots: calls `visit` with
   * the slot of each window that closes, in the same order, before removing
   * it (read it inside `visit`). Returns the number closed.
   */
  drainExpired(graceMs: number, visit: (slot: number) => void): number {
    return this.slots.drain(graceMs, this.clock.watermark, visit);
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

  /** {@link WindowStore.closeIdle} without snapshots, as {@link WindowStore.drainExpired}. */
  drainIdle(nowWallMs: number, idleMs: number, graceMs: number, visit: (slot: number) => void): number {
    if (!this.clock.advanceIfIdle(nowWallMs, idleMs)) return 0;
    return this.drainExpired(graceMs, visit);
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
    this.slots.reset(MIN_CAPACITY);
    this.clock.advanceTo(watermark);
    if (options.nowWallMs !== undefined) this.clock.startIdleClock(options.nowWallMs);
    for (const r of latest.values()) {
      if (r.value === null || this.isLate(r.window, options.graceMs)) continue;
      const accumulators = this.aggregates.fromTableValue(r.value);
      const slot = this.slots.create(r.groupKey, r.window.start, r.window.end, r.timestamp);
      const objects = this.aggregates.writeSlots(this.slots.accs, slot * this.width, accumulators);
      if (objects !== undefined) this.slots.objects[slot] = objects;
    }
    return this.slots.open;
  }
}
