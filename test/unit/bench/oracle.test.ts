import { describe, expect, test } from 'vitest';
import { compareRows, expectedRows, isValidValue, rowId, type AggregateRow } from '../../../bench/lib/oracle.js';
import type { Workload } from '../../../bench/lib/workload.js';

// Window [600 000, 660 000) and the next one; every timestamp below falls in one of them.
const W0 = 600_000;
const W1 = 660_000;

interface Event {
  readonly partition: number;
  readonly key: number;
  readonly ts: number;
  readonly value: number;
}

/** A hand-built workload, in production order; offsets are positions within each partition. */
function workload(events: readonly Event[], partitions = 2): Workload {
  const perPartition = new Array<number>(partitions).fill(0);
  for (const e of events) perPartition[e.partition]! += 1;
  return {
    shape: { events: events.length, partitions, keys: 3, eventsPerEventSecond: 1, invalidRatio: 0, jitterMs: 0, seed: 1 },
    topic: 'bench.unit.events',
    partition: Uint8Array.from(events.map((e) => e.partition)),
    keyIndex: Int32Array.from(events.map((e) => e.key)),
    ts: Float64Array.from(events.map((e) => e.ts)),
    value: Float64Array.from(events.map((e) => e.value)),
    perPartition,
    valueSchemaId: 1,
    bytes: 0,
  };
}

// Partition 0 offsets: 0 → #0, 1 → #2, 2 → #3, 3 → #6, 4 → #8. Partition 1: 0 → #1, 1 → #4, 2 → #5, 3 → #7.
const EVENTS: readonly Event[] = [
  { partition: 0, key: 0, ts: W0 + 1_000, value: 10 }, // #0
  { partition: 1, key: 1, ts: W0 + 500, value: 5 }, // #1
  { partition: 0, key: 0, ts: W0 + 59_999, value: 30 }, // #2, last millisecond of W0
  { partition: 0, key: 0, ts: W1, value: 7 }, // #3, first millisecond of W1
  { partition: 1, key: 1, ts: W0 + 1_500, value: Number.NaN }, // #4 invalid
  { partition: 1, key: 1, ts: W0 + 2_000, value: -1 }, // #5 invalid
  { partition: 0, key: 2, ts: W0 + 2_500, value: 1000.5 }, // #6 invalid: key 2 never gets a row
  { partition: 1, key: 1, ts: W0 + 3_000, value: 1000 }, // #7 valid (upper bound)
  { partition: 0, key: 0, ts: W0 + 4_000, value: 0 }, // #8 valid (lower bound)
];

const row = (key: string, windowStart: number, count: number, sum: number, max: number): AggregateRow => ({ key, windowStart, count, sum, avg: sum / count, max });

describe('bench oracle: expectedRows', () => {
  test('aggregates the valid records per key and epoch-aligned minute; invalid ones are counted, not aggregated', () => {
    const expected = expectedRows(workload(EVENTS));
    expect(expected.valid).toBe(6);
    expect(expected.invalid).toBe(3);
    expect(expected.rows).toEqual(
      new Map([
        [rowId('k-00000', W0), row('k-00000', W0, 3, 40, 30)],
        [rowId('k-00001', W0), row('k-00001', W0, 2, 1005, 1000)],
        [rowId('k-00000', W1), row('k-00000', W1, 1, 7, 7)],
      ]),
    );
    expect(expected.rows.get(rowId('k-00000', W0))!.avg).toBeCloseTo(40 / 3, 12);
  });

  test('over a per-partition prefix it counts only the records before each position (a partition not named counts nothing)', () => {
    const twoOfP0OneOfP1 = expectedRows(workload(EVENTS), new Map([[0, 2], [1, 1]]));
    expect(twoOfP0OneOfP1).toEqual({
      rows: new Map([
        [rowId('k-00000', W0), row('k-00000', W0, 2, 40, 30)],
        [rowId('k-00001', W0), row('k-00001', W0, 1, 5, 5)],
      ]),
      valid: 3,
      invalid: 0,
    });
    const onlyP1 = expectedRows(workload(EVENTS), new Map([[1, 3]]));
    expect(onlyP1).toEqual({ rows: new Map([[rowId('k-00001', W0), row('k-00001', W0, 1, 5, 5)]]), valid: 1, invalid: 2 });
    expect(expectedRows(workload(EVENTS), new Map()).rows.size).toBe(0);
  });

  test('the validity rule is the contract one: finite and within 0..1000', () => {
    expect([0, 1000, 500.25].every(isValidValue)).toBe(true);
    expect([-0.01, 1000.01, Number.NaN, Number.POSITIVE_INFINITY].some(isValidValue)).toBe(false);
  });
});

describe('bench oracle: compareRows', () => {
  const expected = new Map([
    [rowId('k-00000', W0), row('k-00000', W0, 3, 40, 30)],
    [rowId('k-00001', W0), row('k-00001', W0, 2, 1005, 1000)],
  ]);

  test('equal tables are valid', () => {
    expect(compareRows(expected, new Map(expected))).toEqual({ valid: true, expectedRows: 2, actualRows: 2, missing: 0, unexpected: 0, different: 0, examples: [] });
  });

  test('tolerates float noise of 1e-12 (relative) in sum, avg and max, and 0.1 + 0.2 against 0.3', () => {
    const noisy = new Map(
      [...expected].map(([id, r]) => [id, { ...r, sum: r.sum * (1 + 1e-12), avg: r.avg * (1 - 1e-12), max: r.max * (1 + 1e-12) }] as const),
    );
    expect(compareRows(expected, noisy).valid).toBe(true);
    const tenths = new Map([[rowId('k', 0), row('k', 0, 2, 0.3, 0.2)]]);
    expect(compareRows(tenths, new Map([[rowId('k', 0), { ...row('k', 0, 2, 0.1 + 0.2, 0.2), avg: 0.15 }]])).valid).toBe(true);
  });

  test('catches a missing row, an unexpected row and a row that differs (count, or a sum off by more than noise)', () => {
    const actual = new Map<string, AggregateRow>([
      [rowId('k-00000', W0), { ...expected.get(rowId('k-00000', W0))!, count: 4 }],
      [rowId('k-00009', W1), row('k-00009', W1, 1, 1, 1)],
    ]);
    const verdict = compareRows(expected, actual);
    expect(verdict).toMatchObject({ valid: false, expectedRows: 2, actualRows: 2, missing: 1, unexpected: 1, different: 1 });
    expect(verdict.examples).toEqual(expect.arrayContaining([`missing ${rowId('k-00001', W0)}`, `unexpected ${rowId('k-00009', W1)}`]));
    expect(verdict.examples.some((e) => e.startsWith(`${rowId('k-00000', W0)}: expected`))).toBe(true);

    const sumOff = new Map(expected);
    sumOff.set(rowId('k-00001', W0), { ...expected.get(rowId('k-00001', W0))!, sum: 1005 * (1 + 1e-6) });
    expect(compareRows(expected, sumOff)).toMatchObject({ valid: false, different: 1, missing: 0, unexpected: 0 });
    const maxOff = new Map(expected);
    maxOff.set(rowId('k-00000', W0), { ...expected.get(rowId('k-00000', W0))!, max: 29 });
    expect(compareRows(expected, maxOff)).toMatchObject({ valid: false, different: 1 });
  });

  test('keeps at most five examples however many rows differ', () => {
    const many = new Map(Array.from({ length: 20 }, (_, i) => [rowId(`k-${i}`, W0), row(`k-${i}`, W0, 1, 1, 1)] as const));
    const verdict = compareRows(many, new Map());
    expect(verdict.missing).toBe(20);
    expect(verdict.examples).toHaveLength(5);
  });
});
