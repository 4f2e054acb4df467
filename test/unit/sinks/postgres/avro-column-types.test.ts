import { describe, expect, test } from 'vitest';
import { AvroTypes, avroTypeText } from '../../../../src/serde/avro-field-types.js';
import type { AvroSchema } from '../../../../src/serde/index.js';
import { avroColumnTypes } from '../../../../src/sinks/postgres/avro-columns.js';
import { columnMisfit, pgTypeText } from '../../../../src/sinks/postgres/column-type-fit.js';

// Issue 18: which Avro type each sink column is written from (as the sink flattens records), and
// whether a column type fits it. The real server's catalog is tested in
// test/integration/postgres/sink-column-types.test.ts.

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'orderId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
    { name: 'previous', type: ['null', 'shop.Status'], default: null },
    { name: 'total', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 }], default: null },
    { name: 'placed', type: { type: 'record', name: 'Placed', fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }, { name: 'by', type: 'string' }] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'choice', type: ['int', 'string'] },
    { name: 'self', type: ['null', 'Order'], default: null },
  ],
} as unknown as AvroSchema;

describe('AvroTypes', () => {
  const types = new AvroTypes(order);
  test('resolves named types, unwraps nullable unions, follows nested records', () => {
    expect(avroTypeText(types.at(order, ['previous'])!)).toBe('enum Status or null');
    expect(avroTypeText(types.at(order, ['total'])!)).toBe('bytes (decimal) or null');
    expect(avroTypeText(types.at(order, ['placed', 'at'])!)).toBe('long (timestamp-millis)');
    expect(types.at(order, ['choice'])!.kind).toBe('union');
    expect(types.at(order, ['placed', 'nope'])).toBeUndefined();
    expect(types.at(order, ['tags', 'x'])).toBeUndefined();
  });

  test('leaves flatten direct records only (a nullable or recursive record is one leaf)', () => {
    expect(types.leaves(order)!.map((l) => l.path.join('.'))).toEqual(['orderId', 'status', 'previous', 'total', 'placed.at', 'placed.by', 'tags', 'choice', 'self']);
    expect(types.leaves('string')).toBeUndefined();
  });
});

describe('avroColumnTypes', () => {
  test('derived columns are snake_case paths; a table key record wins over the value', () => {
    const key = { type: 'record', name: 'K', fields: [{ name: 'orderId', type: 'string' }] } as AvroSchema;
    const typeOf = avroColumnTypes({ key, value: order }, ['order_id']);
    expect(typeOf('order_id', undefined)).toEqual({ kind: 'string', nullable: false });
    expect(typeOf('placed_at', undefined)?.logicalType).toBe('timestamp-millis');
    expect(typeOf('key', undefined)).toBeUndefined();
    expect(typeOf('nope', undefined)).toBeUndefined();
  });

  test("a stream's text key fills `key` and a single key column the value lacks", () => {
    const typeOf = avroColumnTypes({ key: undefined, value: order }, ['event_id']);
    expect(typeOf('key', undefined)?.kind).toBe('string');
    expect(typeOf('event_id', undefined)?.kind).toBe('string');
    expect(avroColumnTypes({ key: undefined, value: order }, ['a', 'b'])('a', undefined)).toBeUndefined();
  });

  test('explicit paths read the value, the key, or the value then the key', () => {
    const typeOf = avroColumnTypes({ key: undefined, value: order }, []);
    expect(typeOf('x', ['value', 'placed', 'by'])?.kind).toBe('string');
    expect(typeOf('x', ['placed', 'at'])?.kind).toBe('long');
    expect(typeOf('x', ['key'])?.kind).toBe('string');
    expect(typeOf('x', ['key', 'id'])).toBeUndefined();
    expect(typeOf('x', ['value', 'missing'])).toBeUndefined();
  });
});

describe('columnMisfit', () => {
  const t = (kind: string, logicalType?: string) => ({ kind, nullable: false, ...(logicalType ? { logicalType } : {}) }) as Parameters<typeof columnMisfit>[0];

  test.each([
    ['double', undefined, 'int8', 'a fraction would be truncated or refused', 'double precision'],
    ['double', undefined, 'int4', 'a fraction would be truncated or refused', 'double precision'],
    ['long', undefined, 'int4', 'a narrowing: values past 2^31 would be refused row by row', 'bigint'],
    ['int', undefined, 'int2', 'a narrowing: values past 2^15 would be refused row by row', 'integer'],
    ['long', 'timestamp-micros', 'timestamptz', 'the sink reads numbers into timestamp columns as epoch milliseconds, and these are microseconds', 'bigint'],
    ['int', 'date', 'date', 'the sink reads numbers into date and timestamp columns as epoch milliseconds, and these are days', 'integer'],
    ['string', undefined, 'int8', 'the column holds numbers', 'text'],
    ['boolean', undefined, 'text', 'the column holds text', 'boolean'],
    ['double', undefined, 'timestamptz', 'the column holds points in time (the sink converts epoch-millisecond numbers and ISO text)', 'double precision'],
    ['string', undefined, '_text', 'an array column takes Avro arrays', 'text'],
    ['array', undefined, 'text', 'an array needs an array or json column', 'jsonb'],
    ['map', undefined, 'text', 'the column holds text', 'jsonb'],
  ])('%s (%s) into %s: %s', (kind, logical, udt, problem, fits) => {
    expect(columnMisfit(t(kind, logical), udt)).toEqual({ problem, fits });
  });

  test('fits, and what is not judged', () => {
    expect(columnMisfit(t('long'), 'int8')).toBeUndefined();
    expect(columnMisfit(t('long', 'timestamp-millis'), 'timestamptz')).toBeUndefined();
    expect(columnMisfit(t('double'), 'numeric')).toBeUndefined();
    expect(columnMisfit(t('record'), 'jsonb')).toBeUndefined();
    expect(columnMisfit(t('union'), 'int4'), 'several branches: not judged').toBeUndefined();
    expect(columnMisfit(t('string'), 'my_enum_type'), 'a type the check does not know').toBeUndefined();
    expect(columnMisfit(t('string'), 'inet')).toBeUndefined();
  });

  test('pgTypeText', () => {
    expect(['int2', 'int4', 'int8', 'float4', 'float8', 'bool', '_int8', 'timestamptz'].map(pgTypeText)).toEqual([
      'smallint', 'integer', 'bigint', 'real', 'double precision', 'boolean', 'bigint[]', 'timestamptz',
    ]);
  });
});
