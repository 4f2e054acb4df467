import type avro from 'avsc';
import { parseAvroSchema } from '../../../../src/serde/parse-avro-schema.js';
import type { AvroSchema } from '../../../../src/serde/avro-schema.js';
import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../../../src/sinks/sink.js';
import { rowValues } from '../../../../src/sinks/postgres/record-row.js';
import { RowExtractor } from '../../../../src/sinks/postgres/row-extractor.js';
import type { PlannedColumn } from '../../../../src/sinks/postgres/table-plan.js';

const column = (name: string, udtName = 'text', from?: readonly string[]): PlannedColumn =>
  ({ column: name, from, udtName, udtSchema: 'pg_catalog', declared: undefined, scale: undefined });

const keyType = parseAvroSchema({ type: 'record', name: 'RouteKey', fields: [{ name: 'routeId', type: 'string' }, { name: 'windowStart', type: 'long' }] });
const location: AvroSchema = { type: 'record', name: 'Location', fields: [{ name: 'lat', type: 'double' }, { name: 'lon', type: 'double' }] };
const valueType = parseAvroSchema({
  type: 'record', name: 'RouteStats',
  fields: [
    { name: 'routeId', type: 'string' },
    { name: 'events', type: 'long' },
    { name: 'window', type: { type: 'record', name: 'Window', fields: [{ name: 'start', type: 'long' }, { name: 'end', type: 'long' }] } },
    { name: 'where', type: ['null', location, 'string'] },
  ],
});
const decoded = <T>(type: avro.Type, v: T): T => type.fromBuffer(type.toBuffer(v)) as T;
const record = (key: unknown, value: unknown, offset = 0): SinkRecord => ({ topic: 't', partition: 0, offset: BigInt(offset), key, value });

const columns = [
  column('route_id'), column('window_start', 'timestamptz'), column('window_end', 'timestamptz'), column('events', 'int8'),
  column('where_lat', 'float8'), column('where', 'text'), column('lon', 'float8', ['value', 'where', 'lon']), column('missing'),
];

describe('RowExtractor', () => {
  it('gives the same row as flattening each record, across union branches of one Avro type', () => {
    const extract = new RowExtractor(columns);
    const key = (routeId: string) => decoded(keyType, { routeId, windowStart: 60_000 });
    const value = (where: unknown) =>
      decoded(valueType, { routeId: 'ignored: the key wins', events: 3, window: { start: 60_000, end: 120_000 }, where });
    // The first record fixes the layout; later ones take the other branches of the union.
    const records = [
      record(key('R1'), value({ lat: 48.1, lon: 11.5 })),
      record(key('R2'), value(null)),
      record(key('R3'), value('depot')),
      record(key('R4'), value({ lat: 1, lon: 2 })),
    ];
    for (const r of records) expect(extract.values(r)).toEqual(rowValues(r, columns));
    // And with the layout fixed by a string branch first, a record branch must not pass as the column's value.
    const fromString = new RowExtractor(columns);
    for (const r of [...records].reverse().slice(1)) expect(fromString.values(r)).toEqual(rowValues(r, columns));
    expect(extract.values(records[0]!)).toEqual(['R1', new Date(60_000), new Date(120_000), 3, 48.1, null, 11.5, null]);
  });

  it('reads a fixed record type by its layout: key fields win, nested records join, a type used twice counts twice', () => {
    const span = { type: 'record', name: 'Span', fields: [{ name: 'start', type: 'long' }, { name: 'end', type: 'long' }] } as const;
    const fixedValue = parseAvroSchema({
      type: 'record', name: 'Fixed',
      fields: [{ name: 'routeId', type: 'string' }, { name: 'window', type: span }, { name: 'busy', type: 'Span' }, { name: 'note', type: ['null', 'string'] }],
    } as AvroSchema);
    const cols = [column('route_id'), column('window_start', 'int8'), column('busy_end', 'int8'), column('note'), column('window_start_ts', 'timestamptz', ['value', 'window', 'start'])];
    const extract = new RowExtractor(cols);
    const records = [1, 2, 3].map((i) =>
      record(decoded(keyType, { routeId: `K${i}`, windowStart: i * 1000 }), decoded(fixedValue, { routeId: `V${i}`, window: { start: i, end: i + 1 }, busy: { start: 0, end: i * 7 }, note: i === 2 ? null : `n${i}` })),
    );
    for (const r of records) expect(extract.values(r)).toEqual(rowValues(r, cols));
    expect(extract.values(records[1]!)).toEqual(['K2', 2000, 14, null, new Date(2)]);
  });

  it('does not trust a layout where a union in the key can shadow a value field', () => {
    const unionKey = parseAvroSchema({
      type: 'record', name: 'UnionKey',
      fields: [{ name: 'routeId', type: 'string' }, { name: 'window', type: ['null', { type: 'record', name: 'KeyWindow', fields: [{ name: 'start', type: 'long' }] }] }],
    });
    const flatValue = parseAvroSchema({ type: 'record', name: 'FlatValue', fields: [{ name: 'windowStart', type: 'long' }] });
    const cols = [column('route_id'), column('window_start', 'int8')];
    const extract = new RowExtractor(cols);
    // The first record has no key window, so window_start comes from the value; the second's key window wins.
    const first = record(decoded(unionKey, { routeId: 'R1', window: null }), decoded(flatValue, { windowStart: 5 }));
    const second = record(decoded(unionKey, { routeId: 'R2', window: { start: 60_000 } }), decoded(flatValue, { windowStart: 5 }));
    expect(extract.values(first)).toEqual(['R1', 5]);
    expect(extract.values(second)).toEqual(['R2', 60_000]);
    expect(extract.values(second)).toEqual(rowValues(second, cols));
  });

  it('fills a scalar key into the sink key column only where the value lacks it', () => {
    const extract = new RowExtractor([column('route_id'), column('events', 'int8')], 'route_id');
    const statsOnly = parseAvroSchema({ type: 'record', name: 'Stats', fields: [{ name: 'events', type: 'long' }] });
    const r = record('R9', decoded(statsOnly, { events: 4 }));
    expect(extract.values(r)).toEqual(['R9', 4]);
    expect(extract.values(r)).toEqual(rowValues(r, [column('route_id'), column('events', 'int8')], 'route_id'));
  });

  it('flattens plain objects every time: their shapes may change from one record to the next', () => {
    const cols = [column('a'), column('b')];
    const extract = new RowExtractor(cols);
    const records = [record({ b: 'key b' }, { a: 'value a' }), record({ a: 'key a' }, { a: 'value a', b: 'value b' })];
    for (const r of records) expect(extract.values(r)).toEqual(rowValues(r, cols));
    expect(extract.values(records[1]!)).toEqual(['key a', 'value b']);
  });

  it('throws the mapping error of a value the column cannot take', () => {
    const extract = new RowExtractor([column('window_start', 'timestamptz')]);
    const r = record(decoded(keyType, { routeId: 'R1', windowStart: 8.64e15 + 1 }), decoded(valueType, { routeId: 'R1', events: 1, window: { start: 0, end: 1 }, where: null }));
    expect(() => extract.values(r)).toThrow(/window_start/);
  });
});
