import { describe, expect, it } from 'vitest';
import {
  assignWindows,
  assignWindowsInto,
  hopping,
  session,
  tumbling,
  type MutableWindow,
} from '../../../src/state/index.js';
import { randomInt, seededRandom } from './seeded-random.js';

describe('window specs', () => {
  it('are frozen plain data', () => {
    expect(tumbling('1m')).toEqual({ kind: 'tumbling', sizeMs: 60_000 });
    expect(hopping('5m', '1m')).toEqual({ kind: 'hopping', sizeMs: 300_000, advanceMs: 60_000 });
    expect(session('30m')).toEqual({ kind: 'session', gapMs: 1_800_000 });
    expect(Object.isFrozen(tumbling('1m'))).toBe(true);
    expect(Object.isFrozen(hopping('1m', '1m'))).toBe(true);
    expect(Object.isFrozen(session(5))).toBe(true);
  });

  it('reject an advance larger than the size', () => {
    expect(() => hopping('1m', '5m')).toThrow(/advance \(300000 ms\) must not exceed its size \(60000 ms\)/);
  });

  it('reject bad durations, naming the parameter', () => {
    expect(() => tumbling('-1m')).toThrow("tumbling window size must be a positive duration like '30s' or 30000, got '-1m'");
    expect(() => hopping('1m', 0)).toThrow('hopping window advance must be a positive duration');
    expect(() => session('soon' as '1s')).toThrow("session window gap must be a positive duration like '30s' or 30000, got 'soon'");
  });
});

describe('assignWindows: tumbling', () => {
  const spec = tumbling('1m');
  it('puts a record at start, and at end - 1, in the window, and one at end in the next', () => {
    expect(assignWindows(spec, 60_000)).toEqual([{ start: 60_000, end: 120_000 }]);
    expect(assignWindows(spec, 119_999)).toEqual([{ start: 60_000, end: 120_000 }]);
    expect(assignWindows(spec, 120_000)).toEqual([{ start: 120_000, end: 180_000 }]);
  });

  it('is epoch-aligned, also before the epoch', () => {
    expect(assignWindows(spec, 0)).toEqual([{ start: 0, end: 60_000 }]);
    expect(assignWindows(spec, -1)).toEqual([{ start: -60_000, end: 0 }]);
    expect(assignWindows(spec, -60_000)).toEqual([{ start: -60_000, end: 0 }]);
    // 1_700_000_000_003 = 7 × 242_857_142_857 + 4
    expect(assignWindows(tumbling(7), 1_700_000_000_003)).toEqual([{ start: 1_699_999_999_999, end: 1_700_000_000_006 }]);
  });

  it('rejects non-finite event times', () => {
    expect(() => assignWindows(spec, Number.NaN)).toThrow('event time must be a finite number');
  });
});

describe('assignWindows: hopping', () => {
  it('gives a record to size / advance overlapping windows, oldest first', () => {
    expect(assignWindows(hopping('3m', '1m'), 150_000)).toEqual([
      { start: 0, end: 180_000 },
      { start: 60_000, end: 240_000 },
      { start: 120_000, end: 300_000 },
    ]);
  });

  it('respects the half-open boundary on both sides', () => {
    const spec = hopping(10, 5);
    expect(assignWindows(spec, 10)).toEqual([{ start: 5, end: 15 }, { start: 10, end: 20 }]);
    expect(assignWindows(spec, 14)).toEqual([{ start: 5, end: 15 }, { start: 10, end: 20 }]);
    expect(assignWindows(spec, 15)).toEqual([{ start: 10, end: 20 }, { start: 15, end: 25 }]);
  });

  it('handles a size that is not a multiple of the advance', () => {
    // size 10, advance 4: windows start at 0, 4, 8, …; t = 9 is in [0,10), [4,14), [8,18).
    expect(assignWindows(hopping(10, 4), 9).map((w) => w.start)).toEqual([0, 4, 8]);
    expect(assignWindows(hopping(10, 4), 10).map((w) => w.start)).toEqual([4, 8]);
  });

  it('with advance = size behaves like tumbling', () => {
    expect(assignWindows(hopping('1m', '1m'), 119_999)).toEqual(assignWindows(tumbling('1m'), 119_999));
  });

  it('matches a brute-force oracle on random input (seed 42)', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 2_000; i++) {
      const advance = randomInt(random, 1, 50);
      const size = advance * randomInt(random, 1, 5) + randomInt(random, 0, advance - 1);
      const t = randomInt(random, -10_000, 10_000);
      const expected: { start: number; end: number }[] = [];
      for (let s = Math.floor((t - size) / advance) * advance - advance; s <= t; s += advance) {
        if (s <= t && t < s + size) expected.push({ start: s, end: s + size });
      }
      expect(assignWindows(hopping(size, advance), t)).toEqual(expected);
    }
  });
});

describe('assignWindowsInto', () => {
  it('reuses the slot objects and returns the count', () => {
    const slots: MutableWindow[] = [];
    expect(assignWindowsInto(hopping(10, 5), 12, slots)).toBe(2);
    const [first, second] = slots;
    expect(assignWindowsInto(tumbling(10), 25, slots)).toBe(1);
    expect(slots[0]).toBe(first);
    expect(slots[0]).toEqual({ start: 20, end: 30 });
    expect(slots[1]).toBe(second); // left as it was
    expect(slots).toHaveLength(2);
  });

  it('refuses session specs, pointing at SessionStore', () => {
    expect(() => assignWindowsInto(session('1m'), 0, [])).toThrow('SessionStore.upsertSession');
  });
});
