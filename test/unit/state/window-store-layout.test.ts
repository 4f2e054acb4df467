import { describe, expect, it } from 'vitest';
import {
  assignWindows,
  avg,
  CompiledAggregates,
  count,
  hopping,
  max,
  min,
  reducer,
  sum,
  tumbling,
  WindowStore,
  type AggregateMap,
  type WindowSpec,
} from '../../../src/state/index.js';
import { randomInt, seededRandom } from './seeded-random.js';

/**
 * The slot layout of WindowStore (flat float64 accumulators, key chains, end
 * buckets, shrinking) against a reference kept with plain objects: the
 * aggregators' own init/add on one accumulator array per (key, start).
 */

interface Reading {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

const distinct = reducer<Reading, string[], number>({
  init: () => [],
  add: (keys, r) => (keys.includes(String(r.v)) ? keys : [...keys, String(r.v)]),
  result: (keys) => keys.length,
  resultAvroType: 'long',
  state: { avroType: { type: 'array', items: 'string' }, toState: (a) => a, fromState: (v) => v as string[] },
});

const flat = {
  n: count<Reading>(),
  total: sum((r: Reading) => r.v),
  mean: avg((r: Reading) => r.v),
  lo: min((r: Reading) => r.v),
  hi: max((r: Reading) => r.v),
};
const mixed = { ...flat, distinct };

interface Reference {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly accs: unknown[];
  lastUpdated: number;
}

/** Feeds random readings to a store and to an object reference; checks what closes, in order, and what stays open. */
function compare(aggregates: AggregateMap<Reading>, spec: WindowSpec, seed: number, records: number, keys: number, grace: number): WindowStore<Reading> {
  const random = seededRandom(seed);
  const store = new WindowStore(aggregates);
  const compiled = new CompiledAggregates(aggregates);
  const reference = new Map<string, Reference>();
  let watermark = Number.NEGATIVE_INFINITY;
  let closedCount = 0;
  for (let i = 0; i < records; i++) {
    const key = `k${randomInt(random, 0, keys - 1)}`;
    const ts = Math.max(0, Number.isFinite(watermark) ? watermark : 0) + randomInt(random, -3 * grace, grace);
    // Some NaN values: min and max ignore them, sum and avg take them.
    const v = random() < 0.02 ? Number.NaN : randomInt(random, -1_000, 1_000) / 8;
    const r = { key, ts, v };
    store.observe(ts);
    watermark = Math.max(watermark, ts);
    for (const w of assignWindows(spec, ts)) {
      if (store.isLate(w, grace)) continue;
      store.upsertSlot(key, w, r, ts);
      const id = `${key}\u0000${w.start}`;
      let ref = reference.get(id);
      if (ref === undefined) reference.set(id, (ref = { key, start: w.start, end: w.end, accs: compiled.init(), lastUpdated: ts }));
      compiled.add(ref.accs, r);
      ref.lastUpdated = Math.max(ref.lastUpdated, ts);
    }
    if (i % 97 !== 0) continue;
    const closed = store.closeExpired(grace);
    const expected = [...reference.values()]
      .filter((ref) => ref.end + grace <= watermark)
      .sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.start - b.start);
    expect(closed.map((c) => [c.groupKey, c.window.start, c.window.end, c.lastUpdated, compiled.results(c.accumulators)])).toEqual(
      expected.map((ref) => [ref.key, ref.start, ref.end, ref.lastUpdated, compiled.results(ref.accs)]),
    );
    for (const ref of expected) reference.delete(`${ref.key}\u0000${ref.start}`);
    closedCount += closed.length;
    expect(store.openWindowCount).toBe(reference.size);
  }
  expect(closedCount).toBeGreaterThan(records / 20);
  for (const ref of reference.values()) {
    const entry = store.get(ref.key, ref.start);
    expect(entry?.window).toEqual({ start: ref.start, end: ref.end });
    expect(compiled.toTableValue(entry!.accumulators)).toEqual(compiled.toTableValue(ref.accs));
  }
  return store;
}

describe('WindowStore slot layout', () => {
  it('flat accumulators give exactly what the aggregators give on objects, tumbling (seed 21)', () => {
    compare(flat, tumbling(100), 21, 20_000, 3_000, 40);
  });

  it('with a reducer beside the flat fields, hopping windows (seed 22)', () => {
    compare(mixed, hopping(100, 25), 22, 10_000, 500, 40);
  });

  it('gives slots back: arrays shrink once most windows closed, and windows opened after carry on exactly (seed 23)', () => {
    const store = new WindowStore(flat);
    const w = (start: number) => ({ start, end: start + 60_000 });
    const r = (key: string, v: number) => ({ key, ts: 0, v });
    for (let i = 0; i < 50_000; i++) store.upsertSlot(`key-${i}`, w(0), r(`key-${i}`, i), 1_000);
    // A few keys also open the next minute, so some windows survive the close.
    for (let i = 0; i < 100; i++) store.upsertSlot(`key-${i * 7}`, w(60_000), r(`key-${i * 7}`, i), 61_000);
    const peak = store.slotCapacity;
    expect(peak).toBeGreaterThanOrEqual(50_100);
    store.observe(60_000);
    let closed = 0;
    store.drainExpired(0, () => closed++);
    expect(closed).toBe(50_000);
    expect(store.openWindowCount).toBe(100);
    expect(store.slotCapacity).toBeLessThan(peak / 16);
    for (let i = 0; i < 100; i++) store.upsertSlot(`key-${i * 7}`, w(60_000), r(`key-${i * 7}`, 1), 62_000);
    expect(store.get('key-693', 60_000)?.accumulators).toEqual([2, 100, { sum: 100, count: 2 }, 1, 99]);
    expect([...store.entries()].map((e) => e.groupKey).slice(0, 3)).toEqual(['key-0', 'key-7', 'key-14']);
    store.observe(120_000);
    expect(store.closeExpired(0)).toHaveLength(100);
    expect(store.openWindowCount).toBe(0);
  });

  it('restores into the slot layout, reducer included', () => {
    const store = new WindowStore(mixed);
    const value = { n: 2, total: 3, mean: 1.5, mean__sum: 3, mean__count: 2, lo: null, hi: 2, distinct: 2, distinct__state: ['1', '2'] };
    expect(store.restore([{ groupKey: 'a', window: { start: 0, end: 100 }, value, timestamp: 50 }], { graceMs: 0 })).toBe(1);
    expect(store.tableValueAt(store.upsertSlot('a', { start: 0, end: 100 }, { key: 'a', ts: 60, v: 3 }, 60))).toEqual({
      n: 3,
      total: 6,
      mean: 2,
      mean__sum: 6,
      mean__count: 3,
      lo: 3,
      hi: 3,
      distinct: 3,
      distinct__state: ['1', '2', '3'],
    });
  });
});
