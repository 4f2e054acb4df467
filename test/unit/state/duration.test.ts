import { describe, expect, it } from 'vitest';
import { toMillis, toMillisAllowZero, type Duration } from '../../../src/state/index.js';

describe('toMillis', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5s', 1_500],
    ['1.1s', 1_100],
    [30_000, 30_000],
    [1, 1],
  ] as const)('reads %s as %d ms', (input, expected) => {
    expect(toMillis(input, 'size')).toBe(expected);
  });

  it('names the setting, the fix and the bad value', () => {
    expect(() => toMillis('-1m', 'grace of window "per-minute"')).toThrow(
      `grace of window "per-minute" must be a positive duration like '30s' or 30000, got '-1m'`,
    );
  });

  it.each<[unknown, string]>([
    [0, 'got 0'],
    ['0s', "got '0s'"],
    [-5, 'got -5'],
    [Number.NaN, 'got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    ['1 m', "got '1 m'"],
    ['1min', "got '1min'"],
    ['1e3ms', "got '1e3ms'"],
    ['', "got ''"],
    ['30000', "got '30000'"],
    [null, 'got null'],
    [undefined, 'got undefined'],
    [{ ms: 5 }, 'got {"ms":5}'],
  ])('rejects %s', (input, shown) => {
    expect(() => toMillis(input as Duration, 'window size')).toThrow(`window size must be a positive duration`);
    expect(() => toMillis(input as Duration, 'window size')).toThrow(shown);
  });

  it('rejects fractions of a millisecond, saying why', () => {
    expect(() => toMillis(1.5, 'advance')).toThrow('whole milliseconds');
    expect(() => toMillis('0.5ms', 'advance')).toThrow('whole milliseconds');
  });

  it('accepts 0 only when asked', () => {
    expect(toMillisAllowZero(0, 'grace')).toBe(0);
    expect(toMillisAllowZero('0s', 'grace')).toBe(0);
    expect(toMillis('0ms', 'grace', { allowZero: true })).toBe(0);
    expect(toMillisAllowZero('30s', 'grace')).toBe(30_000);
    expect(() => toMillisAllowZero('-1s', 'grace')).toThrow(`grace must be zero or a positive duration like '30s' or 30000, got '-1s'`);
  });
});
