import { failJson, JsonToAvroError } from './json-to-avro-error.js';

/**
 * Converts one JSON value at `path` (the avsc path so far, for errors) to the
 * value avsc encodes; throws {@link JsonToAvroError}.
 *
 * @example
 * ```ts
 * const convert: JsonConvert = jsonLong(undefined);
 * convert('12', ['seq']); // 12
 * ```
 */
export type JsonConvert = (json: unknown, path: string[]) => unknown;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const MS_PER_DAY = 86_400_000;
/**
 * The longs avsc (Sluice's Avro library, longs as JS numbers) writes exactly:
 * up to its own bound, one inside 2^53 − 1; down to −2^52 only, as its zig-zag
 * step (2|n| − 1) is past 2^53 below that and a smaller value comes back
 * rounded, its sign flipped (−2^52 − 1 reads back as 2^52).
 */
const LONG_MIN = -(2 ** 52);
const LONG_MAX = 9_007_199_254_740_990;

/**
 * `long` from a JSON number or a string of digits, within what avsc keeps
 * exact; with `timestamp-millis`/`-micros` (or `local-`) also from an ISO-8601 time.
 *
 * @example
 * ```ts
 * jsonLong('timestamp-millis')('2026-01-05T08:00:00Z', []); // 1767600000000
 * jsonLong(undefined)('42', []);                            // 42
 * ```
 */
export function jsonLong(logical: string | undefined): JsonConvert {
  const perMs = logical === 'timestamp-micros' || logical === 'local-timestamp-micros' ? 1000 : logical === 'timestamp-millis' || logical === 'local-timestamp-millis' ? 1 : 0;
  const outOfRange = 'a long from -4503599627370496 to 9007199254740990 (what Sluice, reading longs as JavaScript numbers, keeps exact)';
  const inRange = (n: number): boolean => n >= LONG_MIN && n <= LONG_MAX;
  return (v, path) => {
    if (typeof v === 'number' && Number.isInteger(v)) return inRange(v) ? v : failJson(path, outOfRange, v);
    if (typeof v === 'string' && /^-?\d+$/.test(v)) {
      const n = Number(v);
      return inRange(n) ? n : failJson(path, outOfRange, v);
    }
    if (perMs > 0 && typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms) && inRange(ms * perMs)) return ms * perMs;
    }
    return failJson(path, perMs > 0 ? 'a long (epoch time) or an ISO-8601 time such as "2026-01-05T08:00:00Z"' : 'a long (a whole number)', v);
  };
}

/**
 * `int`: a whole number within ±2^31.
 *
 * @example
 * ```ts
 * jsonInt(7, []);   // 7
 * jsonInt(1.5, []); // throws '(value): expected an int (a whole number within ±2^31), got 1.5'
 * ```
 */
export function jsonInt(v: unknown, path: string[]): unknown {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? v : failJson(path, 'an int (a whole number within ±2^31)', v);
}

/**
 * `date` (an int of days since 1970-01-01): the number, or `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * jsonDate('2026-01-05', []); // 20458
 * ```
 */
export function jsonDate(v: unknown, path: string[]): unknown {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const ms = Date.parse(`${v}T00:00:00Z`);
    if (!Number.isNaN(ms)) return ms / MS_PER_DAY;
  }
  return typeof v === 'number' ? jsonInt(v, path) : failJson(path, 'a date: days since 1970-01-01, or "YYYY-MM-DD"', v);
}

/**
 * `float`/`double`: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no such numbers).
 *
 * @example
 * ```ts
 * jsonFloat('double')('NaN', []); // NaN
 * ```
 */
export function jsonFloat(name: string): JsonConvert {
  return (v, path) => {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Number.POSITIVE_INFINITY;
    if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
    return failJson(path, `a ${name} (a number)`, v);
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `string` with `logicalType: uuid`: RFC 4122 text, 8-4-4-4-12 hex digits
 * (any version, either case). Avro's JSON says nothing more than "a string",
 * so without this check any text would go out as a uuid.
 *
 * @example
 * ```ts
 * jsonUuid('6f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', []); // '6f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'
 * jsonUuid('not-a-uuid', []); // throws '(value): expected a uuid (8-4-4-4-12 hex digits, e.g. "6f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"), got "not-a-uuid"'
 * ```
 */
export function jsonUuid(v: unknown, path: string[]): unknown {
  return typeof v === 'string' && UUID.test(v) ? v : failJson(path, 'a uuid (8-4-4-4-12 hex digits, e.g. "6f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")', v);
}

/**
 * `bytes` (or `fixed` of `size`) in Avro's JSON encoding: a string whose
 * characters, U+0000–U+00FF, are the bytes.
 *
 * @example
 * ```ts
 * jsonBytes(undefined)('\u0000\u00ff', []); // <Buffer 00 ff>
 * jsonBytes(2)('abc', []);                  // throws '(value): expected exactly 2 bytes, got 3'
 * ```
 */
export function jsonBytes(size: number | undefined): JsonConvert {
  return (v, path) => latin1(v, path, size);
}

function latin1(v: unknown, path: string[], size: number | undefined): unknown {
  if (typeof v !== 'string') return failJson(path, size === undefined ? 'bytes as a string of characters U+0000–U+00FF' : `${size} fixed bytes as a string`, v);
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) > 0xff) {
      const code = v.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
      throw new JsonToAvroError(path, `bytes are written as characters U+0000–U+00FF (Avro's JSON encoding); character ${i} is U+${code}`);
    }
  }
  if (size !== undefined && v.length !== size) throw new JsonToAvroError(path, `expected exactly ${size} bytes, got ${v.length}`);
  return Buffer.from(v, 'latin1');
}
