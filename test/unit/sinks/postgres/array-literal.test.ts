import { describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../../../src/sinks/postgres/array-literal.js';

describe('arrayLiteral', () => {
  it('quotes every string, escaping quotes and backslashes; NULL only for missing values', () => {
    expect(arrayLiteral(['R1', 'say "hi"', 'a\\b', 'NULL', '', null, undefined], 'text')).toBe('{"R1","say \\"hi\\"","a\\\\b","NULL","",NULL,NULL}');
  });

  it('writes numbers, 64-bit integers and booleans bare', () => {
    expect(arrayLiteral([1, 2.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 10n ** 18n], 'float8')).toBe('{1,2.5,0,NaN,Infinity,1000000000000000000}');
    expect(arrayLiteral([true, false], 'bool')).toBe('{true,false}');
    expect(arrayLiteral([], 'int8')).toBe('{}');
  });

  it('writes a timestamptz date as its ISO instant, years 1-9999 only', () => {
    expect(arrayLiteral([new Date(0), null], 'timestamptz')).toBe('{"1970-01-01T00:00:00.000Z",NULL}');
    expect(arrayLiteral([new Date(Date.UTC(10_000, 0, 1))], 'timestamptz')).toBeUndefined();
  });

  it('leaves other dates, bytes and objects to node-postgres', () => {
    expect(arrayLiteral([new Date(0)], 'timestamp')).toBeUndefined();
    expect(arrayLiteral([new Date(0)], 'date')).toBeUndefined();
    expect(arrayLiteral([Buffer.from('x')], 'bytea')).toBeUndefined();
    expect(arrayLiteral(['{"a":1}', { a: 1 }], 'jsonb')).toBeUndefined();
  });
});
