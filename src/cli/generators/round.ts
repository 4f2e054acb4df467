/**
 * Rounds to `digits` decimals, so generated values read like real readings
 * (and print the same in a validation message).
 *
 * @example
 * ```ts
 * round(27.3499, 1); // 27.3
 * ```
 */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
