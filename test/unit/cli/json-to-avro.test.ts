import { describe, expect, it } from 'vitest';
import { compileJsonToAvro, JsonToAvroError } from '../../../src/cli/json-to-avro.js';
import { failJson } from '../../../src/cli/json-to-avro-error.js';
import { jsonBytes, jsonDate, jsonFloat, jsonInt, jsonLong } from '../../../src/cli/json-scalars.js';
import { avroJsonReplacer } from '../../../src/cli/record-printer.js';
import { parseAvroSchema, type AvroSchema } from '../../../src/serde/index.js';
import { ordersSchema, sampleLines } from '../../support/json-lines-fixture.js';

const namespace = 'test.jsonlines';
const longRange = 'a long from -4503599627370496 to 9007199254740990 (what Sluice, reading longs as JavaScript numbers, keeps exact)';

/** The problem a converter reports for `json`, as the path and message a user sees. */
function problem(schema: AvroSchema, json: unknown): string {
  try {
    compileJsonToAvro(schema)(json);
  } catch (error) {
    if (error instanceof JsonToAvroError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(json)} to be refused`);
}

const ping: AvroSchema = {
  type: 'record',
  name: 'Ping',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

describe('compileJsonToAvro', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: 400 randomized lines (wrapped and plain unions, ISO and digit timestamps, defaults) encode to the values drawn', (seed) => {
    const schema = ordersSchema(namespace);
    const toAvro = compileJsonToAvro(schema);
    const type = parseAvroSchema(schema);
    for (const sample of sampleLines(seed, 400, namespace)) {
      const value = toAvro(JSON.parse(sample.line));
      // Through real Avro bytes and back, then printed as consume prints: the drawn value, exactly.
      const decoded = type.fromBuffer(type.toBuffer(value));
      expect(JSON.parse(JSON.stringify(decoded, avroJsonReplacer)), sample.line).toEqual(sample.expected);
    }
  });

  it('takes the documented forms of each type', () => {
    const toAvro = compileJsonToAvro({
      type: 'record',
      name: 'All',
      namespace: 'x.y',
      fields: [
        { name: 'd', type: { type: 'int', logicalType: 'date' } },
        { name: 'us', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'f', type: 'float' },
        { name: 'fx', type: { type: 'fixed', name: 'Two', size: 2 } },
        { name: 'e', type: ['null', { type: 'enum', name: 'E', symbols: ['A', 'B'] }] },
        { name: 'm', type: { type: 'map', values: 'int' } },
      ],
    });
    const value = toAvro({ d: '2026-01-05', us: '1970-01-01T00:00:01.5Z', f: 'NaN', fx: '\u0000\u00ff', e: { 'x.y.E': 'B' }, m: JSON.parse('{"__proto__":1,"b":2}') as unknown }) as Record<string, unknown>;
    expect(value.d).toBe(20458);
    expect(value.us).toBe(1_500_000);
    expect(value.f).toBeNaN();
    expect(value.fx).toEqual(Buffer.from([0, 255]));
    expect(value.e).toBe('B');
    expect(Object.entries(value.m as object)).toEqual([['__proto__', 1], ['b', 2]]);
    expect((toAvro({ d: 1, us: 2, f: 1.5, fx: 'ab', e: null, m: {} }) as Record<string, unknown>).e).toBeNull();
    expect((toAvro({ d: 1, us: 2, f: 1.5, fx: 'ab', e: { E: 'A' }, m: {} }) as Record<string, unknown>).e).toBe('A');
  });

  it('reads a recursive record', () => {
    const list: AvroSchema = { type: 'record', name: 'Node', fields: [{ name: 'v', type: 'int' }, { name: 'next', type: ['null', 'Node'], default: null }] };
    expect(compileJsonToAvro(list)({ v: 1, next: { Node: { v: 2, next: { v: 3 } } } })).toEqual({ v: 1, next: { v: 2, next: { v: 3, next: null } } });
    expect(problem(list, { v: 1, next: { v: 2, next: { v: 'x' } } })).toBe('next.next.v: expected an int (a whole number within ±2^31), got "x"');
  });

  it('names the path of the bad field and what was expected', () => {
    const orders = ordersSchema(namespace);
    const good = JSON.parse(sampleLines(9, 1, namespace)[0]!.line) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ ...good, items: [{ sku: 'a', qty: 1, price: null }, { sku: 'b', qty: 1.5, price: null }] }, 'items.1.qty: expected an int (a whole number within ±2^31), got 1.5'],
      [{ ...good, items: [{ sku: 'a', qty: 1 }] }, 'items.0.price: missing, and the field has no default (give it a value, null if there is none)'],
      [{ ...good, id: undefined }, 'id: missing, and the field has no default (give it a value)'],
      [{ ...good, kind: 'LOST' }, 'kind: expected one of "CREATED", "PAID", "SHIPPED", "CANCELLED", got "LOST"'],
      [{ ...good, shipTo: { street: 's', city: 7 } }, 'shipTo.city: expected a string, got 7'],
      [{ ...good, shipTo: { Address: { street: 's', city: 'c', zip: 5 } } }, 'shipTo.zip: expected one of the union\'s branches (null, string), got 5'],
      [{ ...good, spede: 1 }, `spede: record ${namespace}.Order has no field 'spede' (its fields: id, at, kind, note, amount, shipTo, items, tags, raw, flag, seq)`],
      [{ ...good, seq: 9_007_199_254_740_991 }, `seq: expected ${longRange}, got 9007199254740991`],
      [{ ...good, seq: '-4503599627370497' }, `seq: expected ${longRange}, got "-4503599627370497"`],
      [{ ...good, at: 'yesterday' }, 'at: expected a long (epoch time) or an ISO-8601 time such as "2026-01-05T08:00:00Z", got "yesterday"'],
      [{ ...good, raw: 'ĀB' }, 'raw: bytes are written as characters U+0000–U+00FF (Avro\'s JSON encoding); character 0 is U+0100'],
      [{ ...good, amount: '1.234' }, 'amount: expected a decimal with at most 9 digits, 2 after the point (e.g. "12.50"), got "1.234"'],
      [{ ...good, amount: '12345678.00' }, 'amount: expected a decimal with at most 9 digits, 2 after the point (e.g. "12.50"), got "12345678.00"'],
      [{ ...good, tags: { long: 'x' } }, 'tags.long: expected a long (a whole number), got "x"'],
      [{ ...good, flag: 'true' }, 'flag: expected a boolean, got "true"'],
      [{ ...good, items: {} }, 'items: expected an array, got {}'],
      [[], `(value): expected an object (record ${namespace}.Order), got []`],
    ];
    for (const [json, message] of cases) expect(problem(orders, json), JSON.stringify(json)).toBe(message);
    expect(problem({ type: 'fixed', name: 'F', size: 3 }, 'ab')).toBe('(value): expected exactly 3 bytes, got 2');
    expect(problem(ping, { id: 'p', at: 1, note: { int: 5 } })).toBe('note: expected one of the union\'s branches (null, string), got {"int":5}');
  });

  it('the documented examples hold', () => {
    expect(compileJsonToAvro(ping)({ id: 'p1', at: '2026-01-05T08:00:00Z', note: { string: 'hi' } })).toEqual({ id: 'p1', at: 1_767_600_000_000, note: 'hi' });
    expect(compileJsonToAvro(ping)({ id: 'p1', at: 5 })).toEqual({ id: 'p1', at: 5, note: null });
    expect(problem(ping, { id: 7, at: 5 })).toBe('id: expected a string, got 7');
    expect(jsonLong('timestamp-millis')('2026-01-05T08:00:00Z', [])).toBe(1_767_600_000_000);
    expect(jsonLong(undefined)('42', [])).toBe(42);
    expect(jsonInt(7, [])).toBe(7);
    expect(() => jsonInt(1.5, [])).toThrow('(value): expected an int (a whole number within ±2^31), got 1.5');
    expect(jsonDate('2026-01-05', [])).toBe(20458);
    expect(jsonFloat('double')('NaN', [])).toBeNaN();
    expect(jsonBytes(undefined)('\u0000\u00ff', [])).toEqual(Buffer.from([0, 255]));
    expect(() => jsonBytes(2)('abc', [])).toThrow('(value): expected exactly 2 bytes, got 3');
    expect(() => failJson(['items', '1', 'qty'], 'an int', 'many')).toThrow('items.1.qty: expected an int, got "many"');
    expect(problem({ type: 'record', name: 'T', fields: [{ name: 'speed_kmh', type: 'double' }] }, { speed_kmh: 'fast' })).toBe('speed_kmh: expected a double (a number), got "fast"');
  });

  it('a plain string in a union with a long stays a string; the long branch takes numbers and digits only when no string branch does', () => {
    const schema: AvroSchema = { type: 'record', name: 'U', fields: [{ name: 'u', type: ['null', 'long', 'string'] }, { name: 't', type: ['null', 'long'] }] };
    const toAvro = compileJsonToAvro(schema);
    expect(toAvro({ u: '123', t: '123' })).toEqual({ u: '123', t: 123 });
    expect(toAvro({ u: 123, t: { long: 5 } })).toEqual({ u: 123, t: 5 });
  });
});

describe('compileJsonToAvro: uuid', () => {
  const reading: AvroSchema = {
    type: 'record',
    name: 'Reading',
    fields: [
      { name: 'reading_id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'parent', type: ['null', { type: 'string', logicalType: 'uuid' }], default: null },
    ],
  };
  const expected = 'expected a uuid (8-4-4-4-12 hex digits, e.g. "6f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")';

  // Seeded: the same cases every run, built digit by digit rather than by the pattern under test.
  let seed = 0x5eed;
  const random = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const hex = (count: number): string => Array.from({ length: count }, () => '0123456789abcdefABCDEF'[random(22)]).join('');
  const uuid = (): string => [8, 4, 4, 4, 12].map(hex).join('-');

  it('takes 8-4-4-4-12 hex text, either case, plain or in a union', () => {
    for (let i = 0; i < 200; i++) {
      const id = uuid();
      const parent = uuid();
      expect(compileJsonToAvro(reading)({ reading_id: id, parent })).toEqual({ reading_id: id, parent });
      expect(compileJsonToAvro(reading)({ reading_id: id, parent: { string: parent } })).toEqual({ reading_id: id, parent });
    }
  });

  it('refuses anything else, naming the field and that a uuid is expected', () => {
    const good = uuid();
    const bad = ['not-a-uuid', '', good.replaceAll('-', ''), `${good}0`, good.slice(1), `{${good}}`, good.replace(/^./, 'g'), good.replace(/-/, '_'), ` ${good}`];
    for (let i = 0; i < 50; i++) {
      // One group a digit short or long.
      const groups = [8, 4, 4, 4, 12];
      const at = random(5);
      groups[at] = groups[at]! + (random(2) === 0 ? -1 : 1);
      bad.push(groups.map(hex).join('-'));
    }
    for (const text of bad) {
      expect(problem(reading, { reading_id: text }), text).toBe(`reading_id: ${expected}, got ${JSON.stringify(text)}`);
    }
    expect(problem(reading, { reading_id: 42 })).toBe(`reading_id: ${expected}, got 42`);
    expect(problem(reading, { reading_id: good, parent: { string: 'not-a-uuid' } })).toBe(`parent: ${expected}, got "not-a-uuid"`);
    expect(problem(reading, { reading_id: good, parent: 'not-a-uuid' })).toBe(`parent: ${expected}, got "not-a-uuid"`);
  });
});
