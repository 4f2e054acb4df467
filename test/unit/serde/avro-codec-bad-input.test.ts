import { describe, expect, it } from 'vitest';
import { AvroCodec, InMemorySchemaRegistry, type AvroSchema } from '../../../src/serde/index.js';
import { varint, wire } from './fixtures/avro-bytes.js';

const subject = 'bad.input-value';

const eventSchema = {
  type: 'record', name: 'Event', namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'tag', type: ['null', 'string'], default: null },
    { name: 'items', type: { type: 'array', items: 'long' } },
    { name: 'attrs', type: { type: 'map', values: 'string' } },
    { name: 'flags', type: { type: 'array', items: 'null' } },
  ],
} as const satisfies AvroSchema;

/** A schema without collections: avsc decodes it without the guard pass. */
const flatSchema = {
  type: 'record', name: 'Flat', namespace: 'test', fields: [{ name: 'name', type: 'string' }],
} as const satisfies AvroSchema;

/** Recursive: a linked list, which only a depth limit bounds. */
const listSchema = {
  type: 'record', name: 'Node', namespace: 'test',
  fields: [{ name: 'next', type: ['null', 'Node'], default: null }],
} as const satisfies AvroSchema;

async function setup(schema: AvroSchema, limits = {}) {
  const registry = new InMemorySchemaRegistry();
  const codec = new AvroCodec<unknown>({ registry, subject, readerSchema: schema, limits });
  const id = await codec.registerWriter();
  return { codec, id };
}

describe('AvroCodec on bad input', () => {
  it('classifies each kind of bad payload without throwing', async () => {
    const { codec, id } = await setup(eventSchema);
    const valid = codec.encode({ id: 'x', kind: 'B', tag: 't', items: [1, 2], attrs: { a: 'b' }, flags: [null] });
    const cases: [string, Buffer | null, string][] = [
      ['null value', null, 'truncated'],
      ['empty', Buffer.alloc(0), 'truncated'],
      ['bad magic', Buffer.from('{"id":"x"}'), 'bad-magic'],
      ['short header', Buffer.from([0, 0, 0]), 'truncated'],
      ['cut body', valid.subarray(0, valid.length - 3), 'truncated'],
      ['trailing bytes', Buffer.concat([valid, Buffer.from([1, 2])]), 'corrupt'],
      ['enum index out of range', wire(id, ...varint(1), 120, ...varint(9)), 'corrupt'],
      ['union index out of range', wire(id, ...varint(1), 120, ...varint(0), ...varint(5)), 'corrupt'],
      ['negative string length', wire(id, ...varint(-3)), 'corrupt'],
      ['unknown schema id', wire(id + 1000, 0), 'unknown-schema'],
    ];
    await codec.prepare(cases.map(([, buf]) => buf));
    for (const [name, buf, reason] of cases) {
      const result = codec.decode(buf);
      expect({ name, result }).toMatchObject({ name, result: { ok: false, reason } });
      if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
    }
    expect(codec.decode(valid).ok).toBe(true);
  });

  it('refuses payloads over maxRecordBytes before reading them', async () => {
    const { codec, id } = await setup(flatSchema, { maxRecordBytes: 64 });
    const big = wire(id, ...varint(100), ...Buffer.alloc(100, 97));
    await codec.prepare([big]);
    expect(codec.decode(big)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  const hostile: [string, AvroSchema, (id: number) => Buffer][] = [
    // id='' kind=A tag=null, then an array block claiming 2^31 longs.
    ['array of 2^31 longs', eventSchema, (id) => wire(id, 0, 0, 0, ...varint(2 ** 31))],
    ['map of 10M entries', eventSchema, (id) => wire(id, 0, 0, 0, 0, ...varint(10_000_000))],
    ['array of 1e12 nulls (zero-byte items)', eventSchema, (id) => wire(id, 0, 0, 0, 0, 0, ...varint(1e12))],
    ['negative-count block claiming 5M items', eventSchema, (id) => wire(id, 0, 0, 0, ...varint(-5_000_000), ...varint(4))],
    ['string of 2^40 bytes (no guard pass)', flatSchema, (id) => wire(id, ...varint(2 ** 40))],
    ['string of 2^40 bytes inside a guarded schema', eventSchema, (id) => wire(id, ...varint(2 ** 40))],
    ['50,000-deep recursion', listSchema, (id) => wire(id, ...new Array<number>(50_000).fill(2), 0)],
  ];

  it.each(hostile)('bounds memory and time on %s', async (_name, schema, craft) => {
    const { codec, id } = await setup(schema);
    const payload = craft(id);
    await codec.prepare([payload]);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = codec.decode(payload);
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(elapsed).toBeLessThan(200);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it('counts zero-byte items against maxItems', async () => {
    const { codec } = await setup(eventSchema, { maxItems: 1000 });
    const ok = codec.encode({ id: '', kind: 'A', tag: null, items: [], attrs: {}, flags: new Array(1000).fill(null) });
    const over = codec.encode({ id: '', kind: 'A', tag: null, items: [], attrs: {}, flags: new Array(1001).fill(null) });
    await codec.prepare([ok, over]);
    expect(codec.decode(ok).ok).toBe(true);
    expect(codec.decode(over)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('reports a declared length beyond the payload but within limits as truncated', async () => {
    const { codec, id } = await setup(eventSchema);
    const payload = wire(id, 0, 0, 0, ...varint(500));
    await codec.prepare([payload]);
    expect(codec.decode(payload)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('decodes legitimate collections and moderate recursion', async () => {
    const { codec } = await setup(eventSchema);
    const value = {
      id: 'x', kind: 'A', tag: null,
      items: Array.from({ length: 10_000 }, (_, i) => i), attrs: { a: '1', b: '2' }, flags: [null, null],
    };
    const bytes = codec.encode(value);
    await codec.prepare([bytes]);
    expect(codec.decode(bytes)).toMatchObject({ ok: true, value });
    const list = await setup(listSchema);
    let node: { next: unknown } = { next: null };
    for (let i = 0; i < 100; i++) node = { next: node };
    const listBytes = list.codec.encode(node);
    await list.codec.prepare([listBytes]);
    expect(list.codec.decode(listBytes)).toMatchObject({ ok: true, value: node });
  });

  it('asks the registry about garbage ids at most 8 at a time, and never about negative ids', async () => {
    const { codec, id } = await setup(flatSchema);
    const registry = (codec as unknown as { registry: InMemorySchemaRegistry }).registry;
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const original = registry.getSchemaById.bind(registry);
    registry.getSchemaById = async (n: number) => {
      calls++;
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return original(n);
    };
    const garbage = Array.from({ length: 100 }, (_, i) => wire(id + 1 + i, 0));
    const negative = Buffer.from([0, 0xff, 0xff, 0xff, 0xfe, 0]);
    await codec.prepare([...garbage, negative]);
    expect(peak).toBeLessThanOrEqual(8);
    expect(calls).toBe(100);
    expect(codec.decode(negative)).toMatchObject({ ok: false, reason: 'unknown-schema' });
  });

  it('remembers unknown ids so a flood of them costs one registry call', async () => {
    const { codec, id } = await setup(flatSchema);
    const registry = (codec as unknown as { registry: InMemorySchemaRegistry }).registry;
    let calls = 0;
    const original = registry.getSchemaById.bind(registry);
    registry.getSchemaById = (n: number) => { calls++; return original(n); };
    const bad = Array.from({ length: 100 }, () => wire(id + 99, 0));
    for (let i = 0; i < 10; i++) await codec.prepare(bad);
    expect(bad.every((b) => codec.decode(b).ok === false)).toBe(true);
    expect(calls).toBe(1);
  });
});
