/**
 * A span of time: milliseconds as a number, or a string with a unit.
 *
 * @example
 * ```ts
 * const grace: Duration = '30s'; // 30_000 ms
 * const size: Duration = 60_000; // one minute
 * ```
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

// Plain decimal digits only: `Number()` would also accept '1e3', '0x10' and ' 5 ',
// which read like typos in a topology file rather than durations.
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Options for {@link toMillis}.
 *
 * @example
 * ```ts
 * toMillis(0, 'grace', { allowZero: true }); // 0
 * ```
 */
export interface ToMillisOptions {
  /** Accept 0 (e.g. a grace period of none). Default `false`. */
  readonly allowZero?: boolean;
}

/**
 * Converts a {@link Duration} to whole milliseconds, or throws an Error that
 * names `what` and shows a valid example.
 *
 * @param what - the setting being read, used in the error, e.g. `grace of window "per-minute"`.
 * @example
 * ```ts
 * toMillis('1m', 'size of window "per-minute"');   // 60000
 * toMillis(250, 'advance of window "hop"');         // 250
 * toMillis('-1m', 'grace of window "per-minute"');
 * // throws: grace of window "per-minute" must be a positive duration like '30s' or 30000, got '-1m'
 * ```
 */
export function toMillis(duration: Duration, what: string, options: ToMillisOptions = {}): number {
  const allowZero = options.allowZero === true;
  const ms = parse(duration);
  if (ms !== undefined && Number.isSafeInteger(ms) && (ms > 0 || (allowZero && ms === 0))) return ms;
  const kind = allowZero ? 'zero or a positive duration' : 'a positive duration';
  const whole = ms !== undefined && Number.isFinite(ms) && ms > 0 && !Number.isInteger(ms) ? ' (whole milliseconds)' : '';
  throw new Error(`${what} must be ${kind}${whole} like '30s' or 30000, got ${show(duration)}`);
}

/**
 * {@link toMillis} that also accepts 0; for settings where "none" is meaningful, like grace.
 *
 * @example
 * ```ts
 * toMillisAllowZero(0, 'grace of window "per-minute"');   // 0
 * toMillisAllowZero('0s', 'grace of window "per-minute"'); // 0
 * ```
 */
export function toMillisAllowZero(duration: Duration, what: string): number {
  return toMillis(duration, what, { allowZero: true });
}

function parse(duration: unknown): number | undefined {
  if (typeof duration === 'number') return Number.isFinite(duration) ? duration : undefined;
  if (typeof duration !== 'string') return undefined;
  const match = PATTERN.exec(duration);
  if (match === null) return undefined;
  const [, amount, unit] = match;
  // Multiply in integer space where possible so '1.5s' is exactly 1500, not 1500.0000000000002.
  return Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS] * 1e6) / 1e6;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
