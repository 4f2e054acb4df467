import { describe, expect, test } from 'vitest';
import { percentile, spread } from '../../../bench/lib/stats.js';

describe('bench stats: spread', () => {
  test('nothing measured has no spread', () => {
    expect(spread([])).toBeUndefined();
  });

  test('median, min and max of an odd count, in any order', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([7])).toEqual({ median: 7, min: 7, max: 7 });
  });

  test('the median of an even count is the mean of the middle two, sorted numerically', () => {
    expect(spread([10, 9, 100, 2])).toEqual({ median: 9.5, min: 2, max: 100 });
    expect(spread([-1, -3])).toEqual({ median: -2, min: -3, max: -1 });
  });

  test('leaves its input as it was', () => {
    const values = [3, 1, 2];
    spread(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('bench stats: percentile', () => {
  test('nothing measured has no percentile', () => {
    expect(percentile([], 0.5)).toBeUndefined();
  });

  test('nearest rank over the sorted values', () => {
    expect(percentile([5, 1, 9, 3], 0.5)).toBe(3);
    expect(percentile([5, 1, 9, 3], 0.99)).toBe(9);
    expect(percentile([5, 1, 9, 3], 1)).toBe(9);
    expect(percentile([5, 1, 9, 3], 0)).toBe(1);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentile(hundred, 0.25)).toBe(25);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(hundred, 0.5)).toBe(50);
  });

  test('sorts numerically, not as text (10 < 100 < 9 as strings)', () => {
    expect(percentile([10, 9, 100], 0.5)).toBe(10);
    expect(percentile([10, 9, 100], 0)).toBe(9);
  });

  test('leaves its input as it was', () => {
    const values = [5, 1, 9, 3];
    percentile(values, 0.5);
    expect(values).toEqual([5, 1, 9, 3]);
  });
});
