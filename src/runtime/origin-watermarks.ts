/**
 * A downstream task's view of its upstream tasks' event time: the watermark
 * heard from each (from its records and markers) and whether it said it is
 * idle (read its input to the end).
 *
 * The *close watermark* — up to which windows may close — is the lowest
 * watermark among upstream tasks that are not idle (all `expected` of them
 * must have been heard from), or the highest of all when every one is idle.
 * It never moves back. Because a record's own lateness is judged against the
 * watermark its upstream task stamped on it, and that is never below what
 * the close watermark could be when the record arrives, a window never
 * closes before a record that belongs in it — whatever order the upstream
 * tasks' records interleave in, and so whatever the machine's load. Only an
 * idle task's *new* records, older than the others' progress, can find their
 * window closed (they are late like any other).
 *
 * @example
 * ```ts
 * const origins = new OriginWatermarks(2);
 * origins.heard('0.0', 120_000, false);
 * origins.closeWatermark; // -Infinity: task 0.1 not heard from yet
 * origins.heard('0.1', 60_000, false);
 * origins.closeWatermark; // 60000
 * ```
 */
export class OriginWatermarks {
  readonly #watermarks = new Map<string, number>();
  readonly #idle = new Set<string>();
  #close = Number.NEGATIVE_INFINITY;

  /** @param expected - how many upstream tasks write to this task's partition. */
  constructor(readonly expected: number) {}

  /** The watermark windows may close at; `-Infinity` until every upstream task was heard from. */
  get closeWatermark(): number {
    return this.#close;
  }

  /** Takes in what one record or marker says of its origin. */
  heard(origin: string, watermark: number, idle: boolean): void {
    const known = this.#watermarks.get(origin);
    if (known === undefined || watermark > known) this.#watermarks.set(origin, watermark);
    if (idle) this.#idle.add(origin);
    else this.#idle.delete(origin);
  }

  /** Recomputes the close watermark from what was heard (call once per batch). */
  settle(): number {
    if (this.#watermarks.size < this.expected) return this.#close;
    let lowestActive = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (const [origin, watermark] of this.#watermarks) {
      if (watermark > highest) highest = watermark;
      if (!this.#idle.has(origin) && watermark < lowestActive) lowestActive = watermark;
    }
    const candidate = lowestActive === Number.POSITIVE_INFINITY ? highest : lowestActive;
    if (candidate > this.#close) this.#close = candidate;
    return this.#close;
  }

  /** What to keep across restarts (see {@link OriginWatermarks.restore}). */
  snapshot(): OriginWatermarksSnapshot {
    const origins: Record<string, readonly [number, 0 | 1]> = {};
    for (const [origin, watermark] of this.#watermarks) if (Number.isFinite(watermark)) origins[origin] = [watermark, this.#idle.has(origin) ? 1 : 0];
    return { close: Number.isFinite(this.#close) ? this.#close : null, origins };
  }

  /** Takes back a {@link OriginWatermarks.snapshot} (a restarted task). */
  restore(snapshot: OriginWatermarksSnapshot): void {
    for (const [origin, [watermark, idle]] of Object.entries(snapshot.origins)) this.heard(origin, watermark, idle === 1);
    if (snapshot.close !== null && snapshot.close > this.#close) this.#close = snapshot.close;
  }
}

/**
 * The persisted form of {@link OriginWatermarks}: per origin its watermark
 * and idle flag, and the close watermark reached.
 *
 * @example
 * ```ts
 * const snapshot: OriginWatermarksSnapshot = { close: 60_000, origins: { '0.0': [120_000, 0], '0.1': [60_000, 1] } };
 * ```
 */
export interface OriginWatermarksSnapshot {
  readonly close: number | null;
  readonly origins: Readonly<Record<string, readonly [number, 0 | 1]>>;
}
