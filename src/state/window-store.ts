import { CompiledAggregates, type AggregateMap } from './aggregators/aggregate-map.js';
import { EndTimeBuckets } from './end-time-buckets.js';
import { EventClock } from './event-clock.js';
import { isLateFor } from './watermark.js';
import type { Window } from './window.js';
import type { ClosedWindow, RestoredWindow, WindowEntry } from './window-entry.js';

const NOTHING_CLOSED: readonly ClosedWindow[] = Object.freeze([]);
/** Slots allocated at first and kept at least after shrinking. */
const MIN_CAPACITY = 1_024;
const NO_SLOT = -1;

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
 * Layout (what one open window costs): every window is a *slot*, a number
 * indexing flat arrays — its start, end and last update in `Float64Array`s,
 * its numeric accumulators in one `Float64Array` (`count`/`sum`/`min`/`max`
 * one float64 each, `avg` two; only a `reducer` keeps an object), its group
 * key in an array of strings, and the next window of the same key in an
 * `Int32Array` (a key's windows form a short chain from one `Map` entry per
 * key). Windows wait for their close in one bucket per end time (a list of
 * slot numbers), and the end times in a small heap. No object exists per
 * window: entries handed out (`upsert`, `get`, `entries`, `closeExpired`)
 * are snapshots built on demand. Freed slots are reused, and the arrays and
 * the key map are rebuilt smaller once fewer than a quarter of the slots are
 * in use, so memory is given back after windows close.
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
  private readonly width: number;
  /** Group key → the first slot of its chain. */
  private heads = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  private updated = new Float64Array(0);
  private next = new Int32Array(0);
  private accs = new Float64Array(0);
  /** Accumulator objects of fields that are not flat (reducers), per slot; unused otherwise. */
  private objects: (unknown[] | undefined)[] = [];
  private free = new Int32Array(0);
  private freeCount = 0;
  /** Slots ever handed out since the last rebuild (slot numbers below it are used or free). */
  private top = 0;
  private capacity = 0;
  private open = 0;
  private readonly endTimes = new EndTimeBuckets();
  /** Reused by {@link WindowStore.tableValueAt}. */
  private readonly scratch: unknown[];

  constructor(aggregates: AggregateMap<T>) {
    this.aggregates = new CompiledAggregates(aggregates);
    this.width = this.aggregates.flatWidth;
    this.scratch = new Array<unknown>(this.aggregates.specs.length);
  }

  /** Highest event time seen (or reached by idle closing); `-Infinity` before any record. */
  get watermark(): number {
    return this.clock.watermark;
  }

  /** Number of windows held. */
  get openWindowCount(): number {
    return this.open;
  }

  /** Window slots allocated (at least the open windows; shrinks after closes). For tests and benchmarks. */
  get slotCapacity(): number {
    return this.capacity;
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
    return this.open - this.endTimes.expiredCount(graceMs, this.clock.watermark);
  }

  /** Whether `groupKey` has an open window starting at `windowStart`. */
  has(groupKey: string, windowStart: number): boolean {
    return this.find(groupKey, windowStart) !== NO_SLOT;
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
    let slot = this.find(groupKey, window.start);
    if (slot === NO_SLOT) {
      slot = this.create(groupKey, window.start, window.end, eventTimeMs);
      const objects = this.aggregates.initSlots(this.accs, slot * this.width);
      if (objects !== undefined) this.objects[slot] = objects;
    } else if (eventTimeMs > this.updated[slot]!) {
      this.updated[slot] = eventTimeMs;
    }
    this.aggregates.addSlots(this.accs, slot * this.width, this.objects[slot], record);
    return slot;
  }

  /** Group key of an open window's slot. */
  keyAt(slot: number): string {
    return this.keys[slot]!;
  }

  /** Start of an open window's slot. */
  startAt(slot: number): number {
    return this.starts[slot]!;
  }

  /** End of an open window's slot. */
  endAt(slot: number): number {
    return this.ends[slot]!;
  }

  /** Highest event time applied to an open window's slot. */
  lastUpdatedAt(slot: number): number {
    return this.updated[slot]!;
  }

  /** The table value of an open window's slot (results and state fields), written into `into`. */
  tableValueAt(slot: number, into: Record<string, unknown> = {}): Record<string, unknown> {
    const accs = this.aggregates.readSlots(this.accs, slot * this.width, this.objects[slot], this.scratch);
    return this.aggregates.toTableValue(accs, into);
  }

  /** A snapshot of the open window in `slot`. */
  entryAt(slot: number): WindowEntry {
    return {
      groupKey: this.keys[slot]!,
      window: { start: this.starts[slot]!, end: this.ends[slot]! },
      accumulators: this.aggregates.readSlots(this.accs, slot * this.width, this.objects[slot]),
      lastUpdated: this.updated[slot]!,
    };
  }

  /** The open window of `groupKey` starting at `windowStart`, if any (a snapshot). */
  get(groupKey: string, windowStart: number): WindowEntry | undefined {
    const slot = this.find(groupKey, windowStart);
    return slot === NO_SLOT ? undefined : this.entryAt(slot);
  }

  /** Open windows, grouped by key in first-seen order (snapshots). */
  *entries(): IterableIterator<WindowEntry> {
    for (const head of this.heads.values()) {
      for (let slot = head; slot !== NO_SLOT; slot = this.next[slot]!) yield this.entryAt(slot);
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
    const keys = this.keys;
    const starts = this.starts;
    const closed = this.endTimes.drain(graceMs, this.clock.watermark, (slots) => {
      slots.sort((a, b) => {
        const ka = keys[a]!;
        const kb = keys[b]!;
        return ka < kb ? -1 : ka > kb ? 1 : starts[a]! - starts[b]!;
      });
      for (const slot of slots) {
        visit(slot);
        this.remove(slot);
      }
    });
    if (closed > 0) this.shrinkIfSparse();
    return closed;
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
    this.reset(MIN_CAPACITY);
    this.clock.advanceTo(watermark);
    if (options.nowWallMs !== undefined) this.clock.startIdleClock(options.nowWallMs);
    for (const r of latest.values()) {
      if (r.value === null || this.isLate(r.window, options.graceMs)) continue;
      const accumulators = this.aggregates.fromTableValue(r.value);
      const slot = this.create(r.groupKey, r.window.start, r.window.end, r.timestamp);
      const objects = this.aggregates.writeSlots(this.accs, slot * this.width, accumulators);
      if (objects !== undefined) this.objects[slot] = objects;
    }
    return this.open;
  }

  /** The slot of (`groupKey`, `start`), or {@link NO_SLOT}. */
  private find(groupKey: string, start: number): number {
    let slot = this.heads.get(groupKey) ?? NO_SLOT;
    while (slot !== NO_SLOT && this.starts[slot] !== start) slot = this.next[slot]!;
    return slot;
  }

  /** A new window at the end of its key's chain and in its end's bucket; accumulators left to the caller. */
  private create(groupKey: string, start: number, end: number, lastUpdated: number): number {
    const slot = this.allocate();
    this.keys[slot] = groupKey;
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.updated[slot] = lastUpdated;
    this.next[slot] = NO_SLOT;
    const head = this.heads.get(groupKey);
    if (head === undefined) {
      this.heads.set(groupKey, slot);
    } else {
      let tail = head;
      while (this.next[tail] !== NO_SLOT) tail = this.next[tail]!;
      this.next[tail] = slot;
    }
    this.endTimes.add(end, slot);
    this.open++;
    return slot;
  }

  /** Unlinks a slot from its key's chain and frees it (its bucket is the caller's business). */
  private remove(slot: number): void {
    const key = this.keys[slot]!;
    const head = this.heads.get(key)!;
    const after = this.next[slot]!;
    if (head === slot) {
      if (after === NO_SLOT) this.heads.delete(key);
      else this.heads.set(key, after);
    } else {
      let prev = head;
      while (this.next[prev] !== slot) prev = this.next[prev]!;
      this.next[prev] = after;
    }
    this.keys[slot] = undefined;
    if (this.aggregates.hasObjects) this.objects[slot] = undefined;
    this.free[this.freeCount++] = slot;
    this.open--;
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.top === this.capacity) this.resize(Math.max(MIN_CAPACITY, this.capacity * 2));
    return this.top++;
  }

  /** Grows the slot arrays to `capacity`, keeping slot numbers. */
  private resize(capacity: number): void {
    const grow = <A extends Float64Array | Int32Array>(old: A, make: (n: number) => A, per = 1): A => {
      const grown = make(capacity * per);
      grown.set(old.subarray(0, Math.min(old.length, capacity * per)) as never);
      return grown;
    };
    this.starts = grow(this.starts, (n) => new Float64Array(n));
    this.ends = grow(this.ends, (n) => new Float64Array(n));
    this.updated = grow(this.updated, (n) => new Float64Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.accs = grow(this.accs, (n) => new Float64Array(n), this.width);
    this.free = grow(this.free, (n) => new Int32Array(n));
    this.capacity = capacity;
  }

  /** Empty arrays and maps of `capacity` slots (0: none at all). */
  private reset(capacity: number): void {
    this.heads = new Map();
    this.keys = [];
    this.objects = [];
    this.starts = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
    this.updated = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.accs = new Float64Array(capacity * this.width);
    this.free = new Int32Array(capacity);
    this.freeCount = 0;
    this.top = 0;
    this.capacity = capacity;
    this.open = 0;
    this.endTimes.clear();
  }

  /**
   * Gives memory back once fewer than a quarter of the slots are in use:
   * copies the open windows into arrays (and a key map) sized for twice as
   * many, renumbering their slots. Maps and arrays that only grow would keep
   * the capacity of the busiest moment.
   */
  private shrinkIfSparse(): void {
    if (this.capacity <= MIN_CAPACITY || this.open * 4 >= this.capacity) return;
    const old = {
      heads: this.heads,
      keys: this.keys,
      objects: this.objects,
      starts: this.starts,
      ends: this.ends,
      updated: this.updated,
      next: this.next,
      accs: this.accs,
    };
    const width = this.width;
    this.reset(Math.max(MIN_CAPACITY, this.open * 2));
    for (const [key, head] of old.heads) {
      for (let slot = head; slot !== NO_SLOT; slot = old.next[slot]!) {
        const copy = this.create(key, old.starts[slot]!, old.ends[slot]!, old.updated[slot]!);
        this.accs.set(old.accs.subarray(slot * width, (slot + 1) * width), copy * width);
        if (old.objects[slot] !== undefined) this.objects[copy] = old.objects[slot];
      }
    }
  }
}

