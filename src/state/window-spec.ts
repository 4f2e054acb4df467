import { toMillis, type Duration } from './duration.js';

/**
 * Fixed-size, non-overlapping, epoch-aligned windows.
 *
 * @example
 * ```ts
 * const spec: TumblingWindowSpec = { kind: 'tumbling', sizeMs: 60_000 };
 * ```
 */
export interface TumblingWindowSpec {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

/**
 * Fixed-size windows starting every `advanceMs`, epoch-aligned; overlap when `advanceMs < sizeMs`.
 *
 * @example
 * ```ts
 * const spec: HoppingWindowSpec = { kind: 'hopping', sizeMs: 300_000, advanceMs: 60_000 };
 * ```
 */
export interface HoppingWindowSpec {
  readonly kind: 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
}

/**
 * Per-key activity sessions, closed after `gapMs` without records.
 *
 * @example
 * ```ts
 * const spec: SessionWindowSpec = { kind: 'session', gapMs: 1_800_000 };
 * ```
 */
export interface SessionWindowSpec {
  readonly kind: 'session';
  readonly gapMs: number;
}

/**
 * How records are grouped in time. Pure, frozen data: it can be printed by
 * `describe()` and compared.
 *
 * @example
 * ```ts
 * const spec: WindowSpec = tumbling('1m'); // { kind: 'tumbling', sizeMs: 60000 }
 * ```
 */
export type WindowSpec = TumblingWindowSpec | HoppingWindowSpec | SessionWindowSpec;

/**
 * Tumbling windows of `size`: `[0, size)`, `[size, 2·size)`, … from the epoch.
 *
 * @example
 * ```ts
 * tumbling('1m'); // { kind: 'tumbling', sizeMs: 60000 }
 * ```
 */
export function tumbling(size: Duration): TumblingWindowSpec {
  return Object.freeze({ kind: 'tumbling', sizeMs: toMillis(size, 'tumbling window size') });
}

/**
 * Hopping windows of `size` starting every `advance` (`advance <= size`).
 * A record belongs to `ceil(size / advance)` windows at most.
 *
 * @example
 * ```ts
 * hopping('5m', '1m'); // { kind: 'hopping', sizeMs: 300000, advanceMs: 60000 }
 * hopping('1m', '5m'); // throws: advance must not exceed size …
 * ```
 */
export function hopping(size: Duration, advance: Duration): HoppingWindowSpec {
  const sizeMs = toMillis(size, 'hopping window size');
  const advanceMs = toMillis(advance, 'hopping window advance');
  if (advanceMs > sizeMs) {
    throw new Error(
      `hopping window advance (${advanceMs} ms) must not exceed its size (${sizeMs} ms): ` +
        `records between windows would be dropped; use hopping(size, advance) with advance <= size, e.g. hopping('5m', '1m')`,
    );
  }
  return Object.freeze({ kind: 'hopping', sizeMs, advanceMs });
}

/**
 * Session windows: records of one key less than or exactly `gap` apart share
 * a session.
 *
 * @example
 * ```ts
 * session('30m'); // { kind: 'session', gapMs: 1800000 }
 * ```
 */
export function session(gap: Duration): SessionWindowSpec {
  return Object.freeze({ kind: 'session', gapMs: toMillis(gap, 'session window gap') });
}
