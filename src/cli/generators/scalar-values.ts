/**
 * Values of one scalar Avro type for the schema-driven generator: its
 * bounds, ranges in its own unit, decimals as the exact strings Sluice
 * decodes them to.
 */
import { round } from './round.js';
import type { SeededRandom } from './seeded-random.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const DAY_MS = 86_400_000;

/**
 * A non-null scalar type as the generator sees it: its Avro type, logical
 * type, and what bounds its values.
 *
 * @example
 * ```ts
 * const s: Scalar = { base: 'long', logical: 'timestamp-millis', label: 'long (timestamp-millis)' };
 * ```
 */
export interface Scalar {
  readonly base: string;
  readonly logical: string | undefined;
  readonly label: string;
  readonly symbols?: readonly string[];
  readonly decimal?: { readonly scale: number; readonly maxUnscaled: bigint };
}

/**
 * A decimal's unscaled value as the exact string Sluice decodes decimals to.
 *
 * @example
 * ```ts
 * formatDecimal(1250n, 2); // '12.50'
 * ```
 */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/**
 * The bounds of a numeric scalar's type, for ranges and out-of-range values.
 *
 * @example
 * ```ts
 * typeBounds({ base: 'int', logical: undefined, label: 'int' }); // { lo: -2147483648, hi: 2147483647, integer: true }
 * ```
 */
export function typeBounds(scalar: Scalar): { readonly lo: number; readonly hi: number; readonly integer: boolean } {
  if (scalar.base === 'int') return { lo: INT_MIN, hi: INT_MAX, integer: true };
  if (scalar.base === 'long') return { lo: Number.MIN_SAFE_INTEGER, hi: Number.MAX_SAFE_INTEGER, integer: true };
  if (scalar.decimal !== undefined) {
    const max = Number(scalar.decimal.maxUnscaled) / 10 ** scalar.decimal.scale;
    return { lo: -max, hi: max, integer: false };
  }
  return { lo: -Number.MAX_VALUE, hi: Number.MAX_VALUE, integer: false };
}

/**
 * Whether ranges apply to a scalar (numbers, decimals, times).
 *
 * @example
 * ```ts
 * isNumeric({ base: 'string', logical: undefined, label: 'string' }); // false
 * ```
 */
export function isNumeric(scalar: Scalar | undefined): scalar is Scalar {
  return scalar !== undefined && ['int', 'long', 'float', 'double', 'decimal'].includes(scalar.base);
}

/**
 * A range bound in the scalar's own unit: ISO times become epoch millis,
 * micros or days; undefined where a time makes no sense (a plain int).
 *
 * @example
 * ```ts
 * boundIn({ base: 'int', logical: 'date', label: 'int (date)' }, '2026-01-05'); // 20458
 * ```
 */
export function boundIn(scalar: Scalar, bound: number | string): number | undefined {
  if (typeof bound === 'number') return bound;
  const ms = Date.parse(bound);
  switch (scalar.logical) {
    case 'timestamp-millis':
    case 'local-timestamp-millis': return ms;
    case 'timestamp-micros':
    case 'local-timestamp-micros': return ms * 1000;
    case 'date': return Math.floor(ms / DAY_MS);
    default: return scalar.base === 'long' ? ms : undefined;
  }
}

/**
 * Draws numbers of the scalar's type in `[lo, hi]` (floats to 2 decimals,
 * decimals as exact strings); undefined when the type has none there.
 *
 * @example
 * ```ts
 * numberIn({ base: 'int', logical: undefined, label: 'int' }, 0.5, 0.9); // undefined: no int in between
 * numberIn(feeScalar, 2, 2.5)?.(random);                                // '2.37'
 * ```
 */
export function numberIn(scalar: Scalar, lo: number, hi: number): ((random: SeededRandom) => unknown) | undefined {
  const bounds = typeBounds(scalar);
  const from = Math.max(lo, bounds.lo);
  const to = Math.min(hi, bounds.hi);
  if (scalar.decimal !== undefined) {
    const f = 10 ** scalar.decimal.scale;
    const [a, b] = [Math.ceil(from * f), Math.floor(to * f)];
    return a > b ? undefined : (random) => formatDecimal(BigInt(random.int(a, b)), scalar.decimal?.scale ?? 0);
  }
  if (bounds.integer) {
    const [a, b] = [Math.ceil(from), Math.floor(to)];
    return a > b ? undefined : (random) => random.int(a, b);
  }
  return from > to ? undefined : (random) => Math.min(to, Math.max(from, round(random.between(from, to), 2)));
}
