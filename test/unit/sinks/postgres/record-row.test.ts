import { describe, expect, it } from 'vitest';
import { flattenRecord, valueAt } from '../../../../src/sinks/record-fields.js';
import { RecordMappingError, rowValues, toParameter } from '../../../../src/sinks/postgres/record-row.js';

const col = (udtName: string, scale?: number) => ({ column: 'c', udtName, scale });

describe('record → row', () => {
  it('flattens key and value into snake_case columns, key fields winning', () => {
    const flat = flattenRecord({ routeId: 'R1', window: { start: 0, end: 60_000 } }, { avgSpeed: 31.5, routeId: 'ignored' });
    expect(Object.fromEntries(flat)).toEqual({ route_id: 'R1', window_start: 0, window_end: 60_000, avg_speed: 31.5 });
    expect(Object.fromEntries(flattenRecord('R7', { n: 1 }))).toEqual({ key: 'R7', n: 1 });
    expect(Object.fromEntries(flattenRecord('R7', null))).toEqual({ key: 'R7' });
  });

  it('keeps Dates, arrays and bytes as leaf values', () => {
    const d = new Date(0);
    const flat = flattenRecord(null, { at: d, tags: ['a'], raw: Buffer.from([1]) });
    expect(flat.get('at')).toBe(d);
    expect(flat.get('tags')).toEqual(['a']);
  });

  it('reads explicit paths from key, value, or value-then-key', () => {
    const r = { key: { route: 'R1' }, value: { stats: { avg: 3 }, route: 'V' } };
    expect(valueAt(r, ['value', 'stats', 'avg'])).toBe(3);
    expect(valueAt(r, ['key', 'route'])).toBe('R1');
    expect(valueAt(r, ['route'])).toBe('V');
    expect(valueAt({ key: { route: 'R1' }, value: null }, ['route'])).toBe('R1');
    expect(valueAt({ key: 'K', value: null }, ['key'])).toBe('K');
  });

  it('maps window bounds and timestamp-millis to timestamptz', () => {
    expect(toParameter(60_000, col('timestamptz'))).toEqual(new Date(60_000));
    expect(toParameter(60_000n, col('timestamptz'))).toEqual(new Date(60_000));
    expect(() => toParameter(Number.MAX_VALUE, col('timestamptz'))).toThrow(RecordMappingError);
  });

  it('maps Avro decimal bytes and numbers to numeric text', () => {
    expect(toParameter(Buffer.from([0x04, 0xd2]), col('numeric', 2))).toBe('12.34');
    expect(toParameter(Buffer.from([0xfb, 0x2e]), col('numeric', 2))).toBe('-12.34');
    expect(toParameter(Buffer.from([0x05]), col('numeric', 3))).toBe('0.005');
    expect(toParameter(1.5, col('numeric'))).toBe('1.5');
    expect(toParameter(12345678901234567890n, col('numeric'))).toBe('12345678901234567890');
    expect(() => toParameter(Number.NaN, col('numeric'))).toThrow(/cannot be stored as numeric/);
  });

  it('maps uuid bytes, json and bigint', () => {
    const bytes = Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex');
    expect(toParameter(bytes, col('uuid'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(toParameter('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', col('uuid'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(toParameter({ a: [1], b: 2n }, col('jsonb'))).toBe('{"a":[1],"b":"2"}');
    expect(toParameter(9007199254740993n, col('int8'))).toBe('9007199254740993');
    expect(toParameter(undefined, col('text'))).toBeNull();
  });
});

describe('rowValues with a scalar Kafka key', () => {
  const columns = [
    { column: 'event_id', udtName: 'text', scale: undefined, from: undefined },
    { column: 'user_id', udtName: 'text', scale: undefined, from: undefined },
  ] as unknown as Parameters<typeof rowValues>[1];

  it('takes the key column from the value when the value has it (the Kafka key may be another id)', () => {
    const record = { topic: 't', partition: 0, offset: 0n, key: 'user-7', value: { event_id: 'e-1', user_id: 'user-7' } };
    expect(rowValues(record, columns, 'event_id')).toEqual(['e-1', 'user-7']);
  });

  it('falls back to the scalar key where the value lacks the column (a tombstone)', () => {
    const record = { topic: 't', partition: 0, offset: 0n, key: 'e-9', value: null };
    expect(rowValues(record, columns, 'event_id')).toEqual(['e-9', null]);
  });
});
