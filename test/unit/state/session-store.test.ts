import { describe, expect, it } from 'vitest';
import {
  avg,
  count,
  max,
  reducer,
  SessionStore,
  sum,
  type AggregateResult,
  type RestoredWindow,
  type SessionUpdate,
} from '../../../src/state/index.js';
import { randomInt, seededRandom } from './seeded-random.js';

interface Click {
  readonly user: string;
  readonly ts: number;
  readonly v: number;
}

const aggregates = { n: count<Click>(), total: sum((c: Click) => c.v), mean: avg((c: Click) => c.v), top: max((c: Click) => c.v) };

function click(store: SessionStore<Click>, user: string, ts: number, v = 1): SessionUpdate | null {
  store.observe(ts);
  return store.upsertSession(user, ts, { user, ts, v });
}

const view = (store: SessionStore<Click>) =>
  [...store.entries()].map((e) => ({ key: e.groupKey, ...e.window, ...store.aggregates.results(e.accumulators) }));

describe('SessionStore: merging', () => {
  it('starts a session [t, t] and extends it to the right without a tombstone', () => {
    const store = new SessionStore(aggregates, { gapMs: 10, graceMs: 0 });
    const first = click(store, 'u', 100, 2);
    expect(first?.entry.window).toEqual({ start: 100, end: 100 });
    expect(first?.mergedAway).toEqual([]);
    const second = click(store, 'u', 110, 4); // exactly gap apart: same session
    expect(second?.entry.window).toEqual({ start: 100, end: 110 });
    expect(second?.mergedAway).toEqual([]);
    expect(view(store)).toEqual([{ key: 'u', start: 100, end: 110, n: 2, total: 6, mean: 3, top: 4 }]);
  });

  it('keeps records more than gap apart in separate sessions', () => {
    const store = new SessionStore(aggregates, { gapMs: 10, graceMs: 100 });
    click(store, 'u', 100);
    click(store, 'u', 111);
    expect(view(store).map((s) => [s.start, s.end])).toEqual([[100, 100], [111, 111]]);
  });

  it('merges two sessions bridged by a third record into one, with a tombstone for the merged-away one', () => {
    const store = new SessionStore(aggregates, { gapMs: 10, graceMs: 100 });
    click(store, 'u', 100, 1);
    click(store, 'u', 105, 2);
    click(store, 'u', 120, 3);
    click(store, 'u', 125, 4);
    click(store, 'other', 112, 50);
    expect(store.openWindowCount).toBe(3);
    const bridge = click(store, 'u', 112, 5); // within 10 of 105 and of 120
    expect(bridge?.entry.window).toEqual({ start: 100, end: 125 });
    expect(bridge?.mergedAway).toEqual([{ start: 120, end: 125 }]);
    expect(store.openWindowCount).toBe(2);
    expect(store.get('u', 120)).toBeUndefined();
    expect(store.aggregates.results(store.get('u', 100)!.accumulators)).toEqual({ n: 5, total: 15, mean: 3, top: 5 });
    expect(store.aggregates.results(store.get('other', 112)!.accumulators)).toMatchObject({ n: 1 });
  });

  it('a record extending a session to the left moves its start: the old key gets a tombstone', () => {
    const store = new SessionStore(aggregates, { gapMs: 10, graceMs: 100 });
    click(store, 'u', 100);
    click(store, 'u', 120);
    const early = click(store, 'u', 110); // bridges both and nothing earlier
    expect(early?.mergedAway).toEqual([{ start: 120, end: 120 }]);
    const earlier = click(store, 'u', 95);
    expect(earlier?.entry.window).toEqual({ start: 95, end: 120 });
    expect(earlier?.mergedAway).toEqual([{ start: 100, end: 120 }]);
    expect(store.get('u', 100)).toBeUndefined();
    expect(store.get('u', 95)?.lastUpdated).toBe(120);
  });

  it('refuses aggregators that cannot merge, and bad settings', () => {
    const noMerge = reducer<Click, number>({ init: () => 0, add: (a) => a, state: { avroType: 'long', toState: (a) => a, fromState: (v) => v as number } });
    expect(() => new SessionStore({ ok: count<Click>(), x: noMerge }, { gapMs: 10, graceMs: 0 })).toThrow(
      'aggregate field(s) x cannot merge; give the reducer a merge(a, b)',
    );
    expect(() => new SessionStore(aggregates, { gapMs: 0, graceMs: 0 })).toThrow('gapMs must be a positive whole number');
    expect(() => new SessionStore(aggregates, { gapMs: 5, graceMs: -1 })).toThrow('graceMs must be a non-negative whole number');
  });
});

describe('SessionStore: closing and lateness', () => {
  it('closes a session once watermark > end + gap + grace, in end-then-key order', () => {
    const store = new SessionStore({ n: count<Click>() }, { gapMs: 10, graceMs: 5 });
    click(store, 'b', 100);
    click(store, 'a', 100);
    click(store, 'c', 90);
    click(store, 'z', 105);
    expect(store.closeExpired()).toEqual([]); // c: 90 + 10 + 5 = 105, not < 105
    click(store, 'z', 106);
    expect(store.closeExpired().map((c) => c.groupKey)).toEqual(['c']);
    click(store, 'z', 116);
    expect(store.closeExpired().map((c) => [c.groupKey, c.window.start, c.window.end])).toEqual([
      ['a', 100, 100],
      ['b', 100, 100],
    ]);
  });

  it('accepts an old record that joins an open session (Kafka Streams rule), rejects a lone one', () => {
    const store = new SessionStore({ n: count<Click>() }, { gapMs: 10, graceMs: 0 });
    click(store, 'u', 100);
    click(store, 'v', 108);
    // Watermark 108: a lone record at 97 would close at once (97 + 10 + 0 < 108).
    expect(click(store, 'w', 97)).toBeNull();
    // …but 92 joins u's open session [100, 100] (within gap), whose end still counts.
    expect(click(store, 'u', 92)?.entry.window).toEqual({ start: 92, end: 100 });
    expect(click(store, 'w', 98)?.entry.window).toEqual({ start: 98, end: 98 }); // 98 + 10 = 108, not < 108
  });

  it('a record that would reopen a closed session is late, not a lookalike new session', () => {
    const store = new SessionStore({ n: count<Click>() }, { gapMs: 10, graceMs: 0 });
    click(store, 'u', 100);
    click(store, 'x', 111);
    expect(store.closeExpired().map((c) => c.window)).toEqual([{ start: 100, end: 100 }]);
    click(store, 'x', 120);
    store.closeExpired();
    // 105 alone would still be open (105 + 10 >= 120) but it is within gap of the emitted [100, 100].
    expect(click(store, 'u', 105)).toBeNull();
    expect(store.get('u', 105)).toBeUndefined();
    // Touching a session expired by time but not yet collected by closeExpired is late too.
    click(store, 'y', 121);
    click(store, 'x', 200);
    expect(click(store, 'y', 125)).toBeNull();
  });

  it('forgets closed sessions once no acceptable record could reach them', () => {
    const store = new SessionStore({ n: count<Click>() }, { gapMs: 10, graceMs: 0 });
    click(store, 'u', 100);
    click(store, 'x', 10_000);
    expect(store.closeExpired()).toHaveLength(1);
    expect(store.openWindowCount).toBe(1);
    click(store, 'x', 10_001);
    store.closeExpired();
    expect([...store.entries()].map((e) => e.groupKey)).toEqual(['x']);
  });

  it('closeIdle advances by wall time elapsed since the last record', () => {
    const store = new SessionStore({ n: count<Click>() }, { gapMs: 10, graceMs: 0 });
    store.observe(100, 5_000);
    store.upsertSession('u', 100, { user: 'u', ts: 100, v: 1 });
    expect(store.closeIdle(5_010, 1)).toEqual([]); // watermark 110: 100 + 10 is not < 110
    expect(store.closeIdle(5_011, 1)).toHaveLength(1);
  });
});

describe('SessionStore: against an oracle (seed 5)', () => {
  it('with enough grace, ends with exactly the sessions of the sorted input', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 50; round++) {
      const gap = randomInt(random, 1, 30);
      const store = new SessionStore(aggregates, { gapMs: gap, graceMs: 1_000_000 });
      const input: Click[] = [];
      for (let i = 0; i < 200; i++) input.push({ user: `u${randomInt(random, 0, 3)}`, ts: randomInt(random, 0, 2_000), v: randomInt(random, -9, 9) });
      const live = new Map<string, number>(); // table topic: key -> count, with tombstones applied
      for (const c of input) {
        const update = click(store, c.user, c.ts, c.v);
        expect(update).not.toBeNull();
        for (const w of update!.mergedAway) live.delete(`${c.user}@${w.start}`);
        live.set(`${c.user}@${update!.entry.window.start}`, update!.entry.accumulators[0] as number);
      }
      store.observe(Number.MAX_SAFE_INTEGER);
      type Row = { key: string; start: number; end: number } & AggregateResult<typeof aggregates>;
      const closed = store
        .closeExpired()
        .map((e): Row => ({ key: e.groupKey, ...e.window, ...(store.aggregates.results(e.accumulators) as AggregateResult<typeof aggregates>) }));
      // Oracle: per user, sort by time and cut where two neighbours are more than gap apart.
      const expected: Row[] = [];
      for (const user of new Set(input.map((c) => c.user))) {
        const mine = input.filter((c) => c.user === user).sort((a, b) => a.ts - b.ts);
        let group: Click[] = [];
        const flush = () => {
          const vs = group.map((c) => c.v);
          const total = vs.reduce((a, b) => a + b, 0);
          expected.push({ key: user, start: group[0]!.ts, end: group.at(-1)!.ts, n: group.length, total, mean: total / group.length, top: Math.max(...vs) });
        };
        for (const c of mine) {
          if (group.length > 0 && c.ts - group.at(-1)!.ts > gap) {
            flush();
            group = [];
          }
          group.push(c);
        }
        flush();
      }
      const order = (a: { key: string; start: number; end: number }, b: { key: string; start: number; end: number }) =>
        a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      expected.sort(order);
      expect(closed.map((c) => ({ ...c, mean: Math.round(c.mean * 1e9) }))).toEqual(expected.map((c) => ({ ...c, mean: Math.round(c.mean * 1e9) })));
      // The table topic, after tombstones, names exactly the final sessions.
      expect([...live.keys()].sort()).toEqual(expected.map((s) => `${s.key}@${s.start}`).sort());
      expect(store.openWindowCount).toBe(0);
    }
  });
});

describe('SessionStore.restore', () => {
  it('round-trips through table values, does not reopen closed sessions, and carries on', () => {
    const original = new SessionStore(aggregates, { gapMs: 10, graceMs: 20 });
    const table: RestoredWindow[] = [];
    const emit = (u: SessionUpdate | null) => {
      if (u === null) return;
      for (const w of u.mergedAway) table.push({ groupKey: u.entry.groupKey, window: w, value: null, timestamp: u.entry.lastUpdated });
      table.push({
        groupKey: u.entry.groupKey,
        window: u.entry.window,
        value: JSON.parse(JSON.stringify(original.aggregates.toTableValue(u.entry.accumulators))) as Record<string, unknown>,
        timestamp: u.entry.lastUpdated,
      });
    };
    for (const [user, ts, v] of [['a', 100, 3], ['a', 104, 5], ['b', 103, 1], ['a', 120, 7], ['a', 111, 2], ['c', 140, 4]] as const) {
      emit(click(original, user, ts, v));
    }
    expect(original.closeExpired().map((c) => c.groupKey)).toEqual(['b']); // 103 + 10 + 20 < 140
    const restored = new SessionStore(aggregates, { gapMs: 10, graceMs: 20 });
    expect(restored.restore(table)).toBe(2);
    expect(restored.watermark).toBe(140);
    expect(view(restored)).toEqual(view(original));
    expect(view(restored).find((s) => s.key === 'a')).toEqual({ key: 'a', start: 100, end: 120, n: 4, total: 17, mean: 4.25, top: 7 });
    // The closed b session is remembered: a record within gap of it is late in both stores
    // (alone it would be accepted: 112 + 10 + 20 >= 140).
    expect(click(restored, 'b', 112)).toBeNull();
    expect(click(original, 'b', 112)).toBeNull();
    for (const [user, ts, v] of [['a', 128, 1], ['c', 125, 9], ['a', 140, 2]] as const) {
      expect(click(restored, user, ts, v)).toEqual(click(original, user, ts, v));
    }
    expect(view(restored)).toEqual(view(original));
  });
});
