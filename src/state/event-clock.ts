/**
 * A task's event-time clock: the watermark (highest event time seen) and the
 * wall-clock bookkeeping for closing windows of an idle partition.
 *
 * Idle policy (DESIGN: "an idle partition can close its windows on wall-clock
 * time"): once no record has arrived for `idleMs` of wall time, event time is
 * assumed to keep flowing at wall-clock speed from the last record, i.e. the
 * watermark becomes `watermarkAtLastRecord + (now - wallTimeOfLastRecord)`.
 * We advance by elapsed time rather than jumping to the wall clock so that a
 * backfill of old events, or producers with skewed clocks, is not declared
 * late wholesale. The advance is permanent: a record arriving afterwards for
 * a window closed this way is late, so a window never emits "final" twice.
 * Pick `idleMs` well above normal gaps between fetches, and below grace if
 * in-order records after a pause must never be late.
 *
 * @example
 * ```ts
 * const clock = new EventClock();
 * clock.observe(60_000, 1_000_000); // event time 60s seen at wall time 1_000_000
 * clock.advanceIfIdle(1_045_000, 30_000); // true: idle 45s ≥ 30s
 * clock.watermark; // 105000
 * ```
 */
export class EventClock {
  private wm = Number.NEGATIVE_INFINITY;
  private lastRecordWallMs: number | undefined;
  private watermarkAtLastRecord = Number.NEGATIVE_INFINITY;

  /** Highest event time seen (or reached by idle advance); `-Infinity` before any. */
  get watermark(): number {
    return this.wm;
  }

  /**
   * Records an event time. Pass the wall time of arrival to enable idle
   * closing; without it the idle clock is left as it was.
   */
  observe(eventTimeMs: number, nowWallMs?: number): void {
    if (eventTimeMs > this.wm) this.wm = eventTimeMs;
    if (nowWallMs !== undefined) {
      this.lastRecordWallMs = nowWallMs;
      this.watermarkAtLastRecord = this.wm;
    }
  }

  /** Moves the watermark forward to `ms` (never back), e.g. after a restore. */
  advanceTo(ms: number): void {
    if (ms > this.wm) this.wm = ms;
  }

  /** Starts the idle clock without a record, e.g. right after restoring state. */
  startIdleClock(nowWallMs: number): void {
    this.lastRecordWallMs = nowWallMs;
    this.watermarkAtLastRecord = this.wm;
  }

  /**
   * Advances the watermark by the wall time elapsed since the last record
   * when that is at least `idleMs`; returns whether the partition is idle.
   */
  advanceIfIdle(nowWallMs: number, idleMs: number): boolean {
    const last = this.lastRecordWallMs;
    if (last === undefined || nowWallMs - last < idleMs) return false;
    this.advanceTo(this.watermarkAtLastRecord + (nowWallMs - last));
    return true;
  }
}
