import { CompiledAggregates, type AggregateMap } from './aggregators/aggregate-map.js';
import { EventClock } from './event-clock.js';
import { ExpiryHeap } from './expiry-heap.js';
import { isLateFor } from './watermark.js';
import type { Window } from './window.js';
import type { ClosedWindow, MutableWindowEntry, RestoredWindow, WindowEntry } from './window-entry.js';
import type { RestoreOptions, WindowedStore } from './windowed-store.js';

const NOTHING_CLOSED: readonly ClosedWindow[] = Object.freeze([]);
const NOTHING_MERGED: readonly Window[] = Object.freeze([]);

/**
 * Settings of a {@link SessionStore}.
 *
 * @example
 * ```ts
 * const options: SessionStoreOptions = { gapMs: toMillis('30m', 'gap'), graceMs: 0 };
 * ```
 */
export interface SessionStoreOptions {
  /** Inactivity gap: records at most this far apart share a session. */
  readonly gapMs: number;
  /** How long after it could last be extended a session still accepts records. */
  readonly graceMs: number;
}

/**
 * Result of an accepted {@link SessionStore.upsertSession}.
 *
 * @example
 * ```ts
 * // records at 100 and 120 (gap 10), then 112 bridges them:
 * // { entry: { window: { start: 100, end: 120 }, … }, mergedAway: [{ start: 120, end: 120 }] }
 * ```
 */
export interface SessionUpdate {
  /** The session now holding the record, `[start, end]` with `end` inclusive. */
  readonly entry: WindowEntry;
  /**
   * Sessions merged into `entry` whose table key (group key + start) no longer
   * exists: emit a tombstone for each. A session that kept its start is not
   * listed; its key is simply updated.
   */
  readonly mergedAway: readonly Window[];
}

interface SessionGroup {
  readonly open: Map<number, MutableWindowEntry>;
  /** Recently closed sessions, kept so a record that would reopen one is late. */
  readonly closed: Map<number, Window>;
}

/**
 * In-memory session windows of one task, with Kafka Streams' semantics: a
 * session is `[first event, last event]`, inclusive; a record joins every
 * session it is within `gap` of (both ends inclusive), merging them.
 *
 * Lateness (consistent with `watermark < end + grace` for windows): a session
 * can be extended up to `end + gap`, so it closes when
 * `watermark > end + gap + grace`. A record is late when the session it would
 * create or join is already closed, or would close at once. Closed sessions
 * are remembered for one more `gap`, so a record bridging into one is late
 * instead of starting a lookalike session (the rare bridge arriving later
 * still starts a new session).
 *
 * @example
 * ```ts
 * const store = new SessionStore({ clicks: count() }, { gapMs: 30 * 60_000, graceMs: 60_000 });
 * store.observe(e.ts);
 * const update = store.upsertSession(e.userId, e.ts, e);
 * if (update === null) sendToDlq(e, 'late');
 * else { update.mergedAway.forEach(w => emitTombstone(e.userId, w)); emitUpdate(update.entry); }
 * for (const closed of store.closeExpired()) emitFinal(closed);
 * ```
 */
export class SessionStore<T> implements WindowedStore<T> {
  readonly aggregates: CompiledAggregates<T>;
  readonly gapMs: number;
  readonly graceMs: number;
  private readonly clock = new EventClock();
  private readonly groups = new Map<string, SessionGroup>();
  private readonly heap = new ExpiryHeap<MutableWindowEntry | Window>();
  private open = 0;

  constructor(aggregates: AggregateMap<T>, options: SessionStoreOptions) {
    this.aggregates = new CompiledAggregates(aggregates);
    const bad = this.aggregates.names.filter((_, i) => !this.aggregates.specs[i]!.canMerge);
    if (bad.length > 0) {
      throw new Error(`session windows merge sessions, but aggregate field(s) ${bad.join(', ')} cannot merge; give the reducer a merge(a, b)`);
    }
    for (const [name, value] of [['gapMs', options.gapMs], ['graceMs', options.graceMs]] as const) {
      if (!Number.isSafeInteger(value) || value < (name === 'gapMs' ? 1 : 0)) {
        throw new Error(`session store ${name} must be a ${name === 'gapMs' ? 'positive' : 'non-negative'} whole number of milliseconds, got ${String(value)}`);
      }
    }
    this.gapMs = options.gapMs;
    this.graceMs = options.graceMs;
  }

  get watermark(): number {
    return this.clock.watermark;
  }

  /** Number of open sessions. */
  get openWindowCount(): number {
    return this.open;
  }

  /** Advances the watermark; pass the arrival wall time to enable {@link SessionStore.closeIdle}. */
  observe(eventTimeMs: number, nowWallMs?: number): void {
    this.clock.observe(eventTimeMs, nowWallMs);
  }

  /**
   * Adds a record to its session, merging every session within `gap`.
   * Returns `null` when the record is late (nothing changed).
   */
  upsertSession(groupKey: string, eventTimeMs: number, record: T, lateAgainstMs: number = Number.NEGATIVE_INFINITY): SessionUpdate | null {
    const t = eventTimeMs;
    if (lateAgainstMs > this.clock.watermark) {
      // Judged by the record's own stamp (after a repartition): sessions that stamp closes are out of reach.
      if (isLateFor(this.closeAt(t), this.graceMs, lateAgainstMs)) return null;
    }
    const gap = this.gapMs;
    const group = this.groups.get(groupKey);
    let touched: MutableWindowEntry[] | undefined;
    if (group !== undefined) {
      for (const w of group.closed.values()) if (w.start - gap <= t && t <= w.end + gap) return null;
      for (const e of group.open.values()) {
        if (e.window.start - gap > t || t > e.window.end + gap) continue;
        if (this.expired(e.window.end)) return null; // closed by time, not yet by closeExpired
        (touched ??= []).push(e);
      }
    }
    if (touched === undefined) {
      if (this.expired(t)) return null;
      return { entry: this.create(group, groupKey, t, record), mergedAway: NOTHING_MERGED };
    }
    touched.sort((a, b) => a.window.start - b.window.start);
    const survivor = touched[0]!;
    const old = survivor.window;
    let end = Math.max(t, old.end);
    let mergedAway: Window[] | undefined;
    for (let i = 1; i < touched.length; i++) {
      const other = touched[i]!;
      this.aggregates.merge(survivor.accumulators, other.accumulators);
      if (other.lastUpdated > survivor.lastUpdated) survivor.lastUpdated = other.lastUpdated;
      if (other.window.end > end) end = other.window.end;
      group!.open.delete(other.window.start);
      this.open--;
      (mergedAway ??= []).push(other.window);
    }
    this.aggregates.add(survivor.accumulators, record);
    if (t > survivor.lastUpdated) survivor.lastUpdated = t;
    const start = Math.min(t, old.start);
    if (start !== old.start || end !== old.end) survivor.window = Object.freeze({ start, end });
    if (start !== old.start) {
      (mergedAway ??= []).unshift(old);
      group!.open.delete(old.start);
      group!.open.set(start, survivor);
      this.heap.push({ at: this.closeAt(end), groupKey, start, subject: survivor });
    }
    // An end that only moved later is picked up lazily when the old heap node pops.
    return { entry: survivor, mergedAway: mergedAway ?? NOTHING_MERGED };
  }

  /**
   * Whether {@link SessionStore.upsertSession} would start a new session for
   * this record: it is not late and within `gap` of no open session of its
   * key. Changes nothing (a state budget asks before applying a record).
   */
  wouldOpen(groupKey: string, eventTimeMs: number, lateAgainstMs: number = Number.NEGATIVE_INFINITY): boolean {
    const t = eventTimeMs;
    if (lateAgainstMs > this.clock.watermark && isLateFor(this.closeAt(t), this.graceMs, lateAgainstMs)) return false;
    const gap = this.gapMs;
    const group = this.groups.get(groupKey);
    if (group !== undefined) {
      for (const w of group.closed.values()) if (w.start - gap <= t && t <= w.end + gap) return false;
      for (const e of group.open.values()) if (e.window.start - gap <= t && t <= e.window.end + gap) return false;
    }
    return !this.expired(t);
  }

  /** The open session of `groupKey` starting at `start`, if any. */
  get(groupKey: string, start: number): WindowEntry | undefined {
    return this.groups.get(groupKey)?.open.get(start);
  }

  /** Open sessions, grouped by key in first-seen order. */
  *entries(): IterableIterator<WindowEntry> {
    for (const group of this.groups.values()) yield* group.open.values();
  }

  /**
   * Removes and returns the sessions that closed (`end + gap + grace <
   * watermark`), ordered by end, then group key, then start.
   */
  closeExpired(): readonly ClosedWindow[] {
    const watermark = this.clock.watermark;
    let closed: ClosedWindow[] | undefined;
    for (let top = this.heap.peek(); top !== undefined && isLateFor(top.at, this.graceMs, watermark); top = this.heap.peek()) {
      this.heap.pop();
      const group = this.groups.get(top.groupKey);
      if (group === undefined) continue;
      const subject = top.subject;
      if (!('accumulators' in subject)) {
        if (group.closed.get(top.start) === subject) group.closed.delete(top.start);
      } else {
        if (group.open.get(top.start) !== subject) continue;
        const at = this.closeAt(subject.window.end);
        if (at > top.at) {
          this.heap.push({ at, groupKey: top.groupKey, start: top.start, subject });
          continue;
        }
        group.open.delete(top.start);
        this.open--;
        this.remember(group, top.groupKey, subject.window);
        (closed ??= []).push(subject);
      }
      if (group.open.size === 0 && group.closed.size === 0) this.groups.delete(top.groupKey);
    }
    return closed ?? NOTHING_CLOSED;
  }

  /** Wall-clock closing of an idle partition; see `EventClock` for the policy. */
  closeIdle(nowWallMs: number, idleMs: number): readonly ClosedWindow[] {
    if (!this.clock.advanceIfIdle(nowWallMs, idleMs)) return NOTHING_CLOSED;
    return this.closeExpired();
  }

  /**
   * Replaces the store's content with sessions replayed from the table topic
   * (later records win, tombstones delete). The watermark becomes the highest
   * restored timestamp (or `watermarkMs`); closed sessions are not reopened.
   * Returns the number of open sessions restored.
   */
  restore(records: Iterable<RestoredWindow>, options: Partial<RestoreOptions> = {}): number {
    const latest = new Map<string, RestoredWindow>();
    let watermark = Math.max(this.clock.watermark, options.watermarkMs ?? Number.NEGATIVE_INFINITY);
    for (const r of records) {
      latest.set(`${r.groupKey}\u0000${r.window.start}`, r);
      if (r.timestamp > watermark && options.watermarkFromTimestamps !== false) watermark = r.timestamp;
    }
    this.groups.clear();
    this.heap.clear();
    this.open = 0;
    this.clock.advanceTo(watermark);
    if (options.nowWallMs !== undefined) this.clock.startIdleClock(options.nowWallMs);
    for (const r of latest.values()) {
      if (r.value === null) continue;
      const window = Object.freeze({ start: r.window.start, end: r.window.end });
      const group = this.groupOf(r.groupKey);
      if (this.expired(window.end)) {
        this.remember(group, r.groupKey, window);
        continue;
      }
      const entry: MutableWindowEntry = { groupKey: r.groupKey, window, accumulators: this.aggregates.fromTableValue(r.value), lastUpdated: r.timestamp };
      group.open.set(window.start, entry);
      this.heap.push({ at: this.closeAt(window.end), groupKey: r.groupKey, start: window.start, subject: entry });
      this.open++;
    }
    for (const [key, group] of this.groups) if (group.open.size === 0 && group.closed.size === 0) this.groups.delete(key);
    return this.open;
  }

  /** Exclusive reach of a session: records before `end + gap + 1` can still extend it. */
  private closeAt(end: number): number {
    return end + this.gapMs + 1;
  }

  private expired(end: number): boolean {
    return isLateFor(this.closeAt(end), this.graceMs, this.clock.watermark);
  }

  private create(group: SessionGroup | undefined, groupKey: string, t: number, record: T): WindowEntry {
    const accumulators = this.aggregates.init();
    this.aggregates.add(accumulators, record);
    const entry: MutableWindowEntry = { groupKey, window: Object.freeze({ start: t, end: t }), accumulators, lastUpdated: t };
    (group ?? this.groupOf(groupKey)).open.set(t, entry);
    this.heap.push({ at: this.closeAt(t), groupKey, start: t, subject: entry });
    this.open++;
    return entry;
  }

  private groupOf(groupKey: string): SessionGroup {
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      group = { open: new Map(), closed: new Map() };
      this.groups.set(groupKey, group);
    }
    return group;
  }

  /** Keeps a closed session until no acceptable record could be within `gap` of it. */
  private remember(group: SessionGroup, groupKey: string, window: Window): void {
    const forgetAt = this.closeAt(window.end) + this.gapMs;
    if (isLateFor(forgetAt, this.graceMs, this.clock.watermark)) return;
    group.closed.set(window.start, window);
    this.heap.push({ at: forgetAt, groupKey, start: window.start, subject: window });
  }
}
