import { keyName, type Workload } from './workload.js';

/** One aggregate row as every contender must produce it. */
export interface AggregateRow {
  readonly key: string;
  readonly windowStart: number;
  readonly count: number;
  readonly sum: number;
  readonly avg: number;
  readonly max: number;
}

export const WINDOW_MS = 60_000;
export const GRACE_MS = 5_000;

/** The contract's validation rule. */
export function isValidValue(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 1000;
}

/** Map key of a row: key and window start. */
export function rowId(key: string, windowStart: number): string {
  return `${key}@${windowStart}`;
}

/**
 * The expected table computed straight from what was produced, optionally
 * over a prefix of each partition (`positions`: next offset per partition),
 * for contenders that stop early.
 *
 * @example
 * ```ts
 * const expected = expectedRows(workload); // Map 'k-00001@1763…' → row
 * ```
 */
export function expectedRows(workload: Workload, positions?: ReadonlyMap<number, number>): { rows: Map<string, AggregateRow>; valid: number; invalid: number } {
  const seen = new Array<number>(workload.shape.partitions).fill(0);
  const acc = new Map<string, { key: string; windowStart: number; count: number; sum: number; max: number }>();
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < workload.shape.events; i++) {
    const p = workload.partition[i]!;
    const offset = seen[p]!;
    seen[p] = offset + 1;
    if (positions && offset >= (positions.get(p) ?? 0)) continue;
    const value = workload.value[i]!;
    if (!isValidValue(value)) {
      invalid += 1;
      continue;
    }
    valid += 1;
    const key = keyName(workload.keyIndex[i]!);
    const ts = workload.ts[i]!;
    const windowStart = ts - (ts % WINDOW_MS);
    const id = rowId(key, windowStart);
    const row = acc.get(id);
    if (row) {
      row.count += 1;
      row.sum += value;
      if (value > row.max) row.max = value;
    } else acc.set(id, { key, windowStart, count: 1, sum: value, max: value });
  }
  const rows = new Map<string, AggregateRow>();
  for (const [id, r] of acc) rows.set(id, { ...r, avg: r.sum / r.count });
  return { rows, valid, invalid };
}

/** How a contender's output compares with the oracle. */
export interface Verdict {
  readonly valid: boolean;
  readonly expectedRows: number;
  readonly actualRows: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly different: number;
  /** A few differences, for the report. */
  readonly examples: readonly string[];
}

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Compares rows field by field (floating sums with a 1e-9 relative tolerance:
 * every contender adds in the same per-key order, but nothing promises the
 * same instructions).
 *
 * @example
 * ```ts
 * compareRows(expected.rows, actual).valid; // true when equal
 * ```
 */
export function compareRows(expected: ReadonlyMap<string, AggregateRow>, actual: ReadonlyMap<string, AggregateRow>): Verdict {
  let missing = 0;
  let different = 0;
  const examples: string[] = [];
  for (const [id, want] of expected) {
    const got = actual.get(id);
    if (!got) {
      missing += 1;
      if (examples.length < 5) examples.push(`missing ${id}`);
      continue;
    }
    if (got.count !== want.count || !close(got.sum, want.sum) || !close(got.avg, want.avg) || !close(got.max, want.max)) {
      different += 1;
      if (examples.length < 5) examples.push(`${id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  let unexpected = 0;
  for (const id of actual.keys()) {
    if (!expected.has(id)) {
      unexpected += 1;
      if (examples.length < 5) examples.push(`unexpected ${id}`);
    }
  }
  return { valid: missing === 0 && different === 0 && unexpected === 0, expectedRows: expected.size, actualRows: actual.size, missing, unexpected, different, examples };
}
