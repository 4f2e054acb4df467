import { describe, expect, it } from 'vitest';
import {
  assignWindows,
  assignWindowsInto,
  avg,
  count,
  hopping,
  max,
  min,
  sum,
  tumbling,
  WindowStore,
  type MutableWindow,
  type RestoredWindow,
  type WindowEntry,
  type WindowSpec,
} from '../../../src/state/index.js';
import { randomInt, seededRandom } from './seeded-random.js';

interface Reading {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

const MIN = 60_000;
const aggregates = {
  n: count(),
  total: sum((r: Reading) => r.v),
  mean: avg((r: Reading) => r.v),
  lo: min((r: Reading) => r.v),
  hi: max((r: Reading) => r.v),
};

/** The engine's per-record path, as documented on WindowStore. Returns whether accepted. */
function feed(store: WindowStore<Reading>, r: Reading, graceMs: number, spec: WindowSpec = tumbling('1m')): boolean {
  store.observe(r.ts);
  let accepted = false;
  for (const w of assignWindows(spec, r.ts)) {
    if (store.isLate(w, graceMs)) continue;
    store.upsert(r.key, w, r, r.ts);
    accepted = true;
  }
  return accepted;
}

const results = (store: WindowStore<Reading>, e: WindowEntry | undefined) =>
  e === undefined ? undefined : store.aggregates.results(e.accumulators);

describe('WindowStore: grace and lateness', () => {
  it('accepts an out-of-order record while watermark < end + grace, rejects it after', () => {
    const store = new WindowStore(aggregates);
    const grace = 30_000;
    expect(feed(store, { key: 'a', ts: 10_000, v: 1 }, grace)).toBe(true);
    // The watermark passes the end of [0, 60000) but not end + grace.
    expect(feed(store, { key: 'a', ts: 89_999, v: 1 }, grace)).toBe(true);
    expect(store.closeExpired(grace)).toEqual([]);
    expect(feed(store, { key: 'a', ts: 59_999, v: 5 }, grace)).toBe(true); // late by time, within grace
    expect(results(store, store.get('a', 0))).toMatchObject({ n: 2, total: 6 });
    // Watermark reaches end + grace exactly: the window closes and refuses records.
    store.observe(90_000);
    expect(store.isLate({ start: 0, end: MIN }, grace)).toBe(true);
    expect(store.isLate({ start: MIN, end: 2 * MIN }, grace)).toBe(false);
    const closed = store.closeExpired(grace);
    expect(closed.map((c) => [c.groupKey, c.window.start])).toEqual([['a', 0]]);
    expect(results(store, closed[0])).toEqual({ n: 2, total: 6, mean: 3, lo: 1, hi: 5 });
    expect(feed(store, { key: 'a', ts: 30_000, v: 9 }, grace)).toBe(false);
    expect(store.get('a', 0)).toBeUndefined();
  });

  it('with zero grace closes a window once the watermark reaches its end', () => {
    const store = new WindowStore(aggregates);
    feed(store, { key: 'a', ts: 59_999, v: 1 }, 0);
    expect(store.closeExpired(0)).toEqual([]);
    feed(store, { key: 'a', ts: 60_000, v: 1 }, 0); // exactly at end: next window
    expect(store.closeExpired(0).map((c) => c.window)).toEqual([{ start: 0, end: MIN }]);
    expect(feed(store, { key: 'a', ts: 59_999, v: 1 }, 0)).toBe(false);
  });

  it('before any record nothing is late', () => {
    const store = new WindowStore(aggregates);
    expect(store.watermark).toBe(Number.NEGATIVE_INFINITY);
    expect(store.isLate({ start: -2 * MIN, end: -MIN }, 0)).toBe(false);
  });

  it('hopping: a record lands in every overlapping window, each closing on its own end', () => {
    const store = new WindowStore(aggregates);
    const spec = hopping('3m', '1m');
    feed(store, { key: 'k', ts: 150_000, v: 2 }, 0, spec);
    expect([...store.entries()].map((e) => e.window.start)).toEqual([0, MIN, 2 * MIN]);
    store.observe(3 * MIN);
    expect(store.closeExpired(0).map((c) => c.window.start)).toEqual([0]);
    expect(store.openWindowCount).toBe(2);
  });

  it('tracks lastUpdated as the highest event time applied', () => {
    const store = new WindowStore(aggregates);
    feed(store, { key: 'a', ts: 5_000, v: 1 }, 0);
    feed(store, { key: 'a', ts: 3_000, v: 1 }, 0);
    expect(store.get('a', 0)?.lastUpdated).toBe(5_000);
  });

  it('copies reused window slots', () => {
    const store = new WindowStore(aggregates);
    const slots: MutableWindow[] = [];
    assignWindowsInto(tumbling('1m'), 1_000, slots);
    const entry = store.upsert('a', slots[0]!, { key: 'a', ts: 1_000, v: 1 }, 1_000);
    assignWindowsInto(tumbling('1m'), 70_000, slots);
    expect(entry.window).toEqual({ start: 0, end: MIN });
  });
});

/** Sorts `end:key:start` strings by end, then key (code units), then start. */
function closeOrder(a: string, b: string): number {
  const [ea, ka, sa] = a.split(':');
  const [eb, kb, sb] = b.split(':');
  return Number(ea) - Number(eb) || (ka! < kb! ? -1 : ka! > kb! ? 1 : 0) || Number(sa) - Number(sb);
}

describe('WindowStore.closeExpired ordering', () => {
  it('orders by end, then group key, then start, whatever the insertion order', () => {
    const store = new WindowStore({ n: count<Reading>() });
    const spec = hopping(10, 5);
    const inserted: [string, number][] = [
      ['zeta', 12],
      ['alpha', 3],
      ['mid', 7],
      ['alpha', 14],
      ['beta', 1],
      ['Alpha', 8],
    ];
    for (const [key, ts] of inserted) {
      store.observe(ts);
      for (const w of assignWindows(spec, ts)) store.upsert(key, w, { key, ts, v: 0 }, ts);
    }
    store.observe(1_000);
    const order = store.closeExpired(0).map((c) => `${c.window.end}:${c.groupKey}:${c.window.start}`);
    expect(order).toEqual([...order].sort(closeOrder));
    // 'Alpha' < 'alpha' < 'beta' in code-unit order; 'Alpha' (ts 8) has no window ending at 5.
    expect(order.slice(0, 4)).toEqual(['5:alpha:-5', '5:beta:-5', '10:Alpha:0', '10:alpha:0']);
    expect(store.openWindowCount).toBe(0);
  });

  it('returns windows in the same order as a full sort on random input (seed 3)', () => {
    const random = seededRandom(3);
    const store = new WindowStore({ n: count<Reading>() });
    const spec = hopping(100, 25);
    const live = new Map<string, { key: string; start: number; end: number }>();
    const emitted: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const key = `k${randomInt(random, 0, 20)}`;
      const ts = Math.max(0, store.watermark) + randomInt(random, -60, 20);
      store.observe(ts);
      for (const w of assignWindows(spec, ts)) {
        if (store.isLate(w, 40)) continue;
        store.upsert(key, w, { key, ts, v: 1 }, ts);
        live.set(`${key}\u0000${w.start}`, { key, ...w });
      }
      const closed = store.closeExpired(40);
      for (const c of closed) {
        expect(c.window.end + 40).toBeLessThanOrEqual(store.watermark);
        emitted.push(`${c.window.end}:${c.groupKey}:${c.window.start}`);
        live.delete(`${c.groupKey}\u0000${c.window.start}`);
      }
    }
    expect(store.openWindowCount).toBe(live.size);
    for (const e of store.entries()) expect(e.window.end + 40).toBeGreaterThan(store.watermark);
    expect(emitted.length).toBeGreaterThan(1_000);
    expect(emitted).toEqual([...emitted].sort(closeOrder));
  });
});

describe('WindowStore.restore', () => {
  it('round-trips every aggregator through table values and carries on exactly', () => {
    const original = new WindowStore(aggregates);
    const all: Reading[] = [];
    const random = seededRandom(99);
    for (let i = 0; i < 500; i++) {
      const r = { key: `k${randomInt(random, 0, 5)}`, ts: i * 200 + randomInt(random, 0, 150), v: randomInt(random, -500, 500) / 4 };
      all.push(r);
      feed(original, r, 30_000);
    }
    original.closeExpired(30_000);
    // What the table topic holds for the open windows (update mode: the last value per key).
    const table: RestoredWindow[] = [...original.entries()].map((e) => ({
      groupKey: e.groupKey,
      window: e.window,
      value: JSON.parse(JSON.stringify(original.aggregates.toTableValue(e.accumulators))) as Record<string, unknown>,
      timestamp: e.lastUpdated,
    }));
    const restored = new WindowStore(aggregates);
    expect(restored.restore(table, { graceMs: 30_000 })).toBe(original.openWindowCount);
    expect(restored.watermark).toBe(original.watermark);
    const more: Reading[] = [];
    for (let i = 500; i < 700; i++) more.push({ key: `k${i % 6}`, ts: i * 200 - 25_000, v: i / 8 });
    for (const r of more) {
      expect(feed(restored, r, 30_000)).toBe(feed(original, r, 30_000));
    }
    const snapshot = (s: WindowStore<Reading>) =>
      [...s.entries()]
        .map((e) => ({ key: e.groupKey, start: e.window.start, ...s.aggregates.results(e.accumulators) }))
        .sort((a, b) => a.start - b.start || a.key.localeCompare(b.key));
    expect(snapshot(restored)).toEqual(snapshot(original));
  });

  it('keeps the last value per window, honours tombstones and skips closed windows', () => {
    const store = new WindowStore({ n: count<Reading>() });
    const w = (start: number) => ({ start, end: start + MIN });
    const n = store.restore(
      [
        { groupKey: 'a', window: w(0), value: { n: 1 }, timestamp: 1_000 },
        { groupKey: 'a', window: w(MIN), value: { n: 1 }, timestamp: 61_000 },
        { groupKey: 'a', window: w(MIN), value: { n: 2 }, timestamp: 95_000 },
        { groupKey: 'b', window: w(MIN), value: { n: 1 }, timestamp: 62_000 },
        { groupKey: 'b', window: w(MIN), value: null, timestamp: 62_000 },
      ],
      { graceMs: 30_000 },
    );
    // Watermark 95000 >= 60000 + 30000: window [0, 60000) is closed and not restored.
    expect(n).toBe(1);
    expect(store.watermark).toBe(95_000);
    expect(store.get('a', 0)).toBeUndefined();
    expect(store.get('a', MIN)?.accumulators).toEqual([2]);
    expect(store.get('b', MIN)).toBeUndefined();
  });

  it('uses a known watermark when it is higher than the restored timestamps', () => {
    const store = new WindowStore({ n: count<Reading>() });
    store.restore([{ groupKey: 'a', window: { start: 0, end: MIN }, value: { n: 3 }, timestamp: 10 }], {
      graceMs: 0,
      watermarkMs: MIN,
    });
    expect(store.openWindowCount).toBe(0);
  });
});

describe('WindowStore.closeIdle', () => {
  it('advances event time at wall-clock speed after idleMs without records', () => {
    const store = new WindowStore({ n: count<Reading>() });
    const wall0 = 1_000_000_000;
    store.observe(10_000, wall0);
    store.upsert('a', { start: 0, end: MIN }, { key: 'a', ts: 10_000, v: 0 }, 10_000);
    expect(store.closeIdle(wall0 + 5_000, 10_000, 0)).toEqual([]); // not idle yet
    expect(store.watermark).toBe(10_000);
    expect(store.closeIdle(wall0 + 49_999, 10_000, 0)).toEqual([]); // idle, watermark 59999
    expect(store.watermark).toBe(59_999);
    expect(store.closeIdle(wall0 + 50_000, 10_000, 0).map((c) => c.groupKey)).toEqual(['a']);
    // The advance is permanent: the closed window is not reopened.
    store.observe(20_000, wall0 + 50_001);
    expect(store.isLate({ start: 0, end: MIN }, 0)).toBe(true);
  });

  it('does nothing without wall times, and restore can start the idle clock', () => {
    const store = new WindowStore({ n: count<Reading>() });
    store.observe(10_000);
    expect(store.closeIdle(Number.MAX_SAFE_INTEGER, 1, 0)).toEqual([]);
    store.restore([{ groupKey: 'a', window: { start: 0, end: MIN }, value: { n: 1 }, timestamp: 30_000 }], { graceMs: 0, nowWallMs: 500 });
    expect(store.closeIdle(500 + 30_000, 1_000, 0)).toHaveLength(1);
  });
});
