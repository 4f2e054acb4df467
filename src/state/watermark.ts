/**
 * The one lateness rule every store uses (DESIGN, "Event time"): a window
 * `[start, end)` accepts records while `watermark < end + grace`. A task's
 * watermark is the highest event time it has seen; before any record it is
 * `-Infinity`, so nothing is late.
 *
 * @example
 * ```ts
 * isLateFor(60_000, 30_000, 89_999); // false: still within grace
 * isLateFor(60_000, 30_000, 90_000); // true: window closed at end + grace
 * ```
 */
export function isLateFor(windowEndMs: number, graceMs: number, watermarkMs: number): boolean {
  return watermarkMs >= windowEndMs + graceMs;
}

/**
 * The watermark at which a window `[start, end)` closes (emits its final
 * value and stops accepting records).
 *
 * @example
 * ```ts
 * closesAt(60_000, 30_000); // 90000
 * ```
 */
export function closesAt(windowEndMs: number, graceMs: number): number {
  return windowEndMs + graceMs;
}
