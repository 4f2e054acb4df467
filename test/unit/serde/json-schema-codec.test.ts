import { describe, expect, it } from 'vitest';
import {
  AvroCodec, IncompatibleSchemaError, InMemorySchemaRegistry, InvalidSchemaError, JsonSchemaCodec, type JsonSchema,
} from '../../../src/serde/index.js';
import { seededRandom } from '../../support/bus-workload.js';

const subject = 'orders-value';
const STATUSES = ['NEW', 'PAID', 'SHIPPED'] as const;

const orderSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    order_id: { type: 'string' },
    amount: { type: 'number', minimum: 0 },
    status: { type: 'string', enum: [...STATUSES] },
    tags: { type: 'array', items: { type: 'string' } },
    note: { type: ['string', 'null'] },
  },
  required: ['order_id', 'amount', 'status', 'tags'],
  additionalProperties: false,
};

interface Order {
  order_id: string;
  amount: number;
  status: string;
  tags: string[];
  note?: string | null;
}

function text(random: () => number): string {
  // Includes multi-byte characters, quotes and escapes, which the UTF-8 body must carry.
  const alphabet = ['a', 'Z', '7', ' ', '"', '\\', 'é', 'ß', '€', '日', '😀', '\n'];
  let s = '';
  for (let n = Math.floor(random() * 12); n > 0; n--) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

function order(random: () => number): Order {
  const o: Order = {
    order_id: `o-${text(random)}`,
    amount: Math.round(random() * 1e6) / 100,
    status: STATUSES[Math.floor(random() * STATUSES.length)] ?? 'NEW',
    tags: Array.from({ length: Math.floor(random() * 4) }, () => text(random)),
  };
  const r = random();
  if (r < 0.3) o.note = null;
  else if (r < 0.6) o.note = text(random);
  return o;
}

/** Breaks one rule of the schema on purpose; returns the record and the path the failure must name. */
function broken(random: () => number): { value: Record<string, unknown>; path: string } {
  const base: Record<string, unknown> = { ...order(random), tags: ['x', 'y', 'z'] };
  switch (Math.floor(random() * 6)) {
    case 0: delete base.order_id; return { value: base, path: 'order_id' };
    case 1: return { value: { ...base, amount: -1 - random() * 10 }, path: 'amount' };
    case 2: return { value: { ...base, amount: String(base.amount) }, path: 'amount' };
    case 3: return { value: { ...base, status: 'LOST' }, path: 'status' };
    case 4: return { value: { ...base, tags: ['x', 'y', 42] }, path: 'tags[2]' };
    default: return { value: { ...base, extra_field: true }, path: 'extra_field' };
  }
}

function withBody(id: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const out = Buffer.alloc(5 + b.length);
  out.writeInt32BE(id, 1);
  b.copy(out, 5);
  return out;
}

describe('JsonSchemaCodec', () => {
  it('round-trips seeded random records in the Confluent wire format (magic 0, id, UTF-8 JSON)', async () => {
    const registry = new InMemorySchemaRegistry({ firstId: 40 });
    const codec = new JsonSchemaCodec<Order>({ registry, subject, readerSchema: orderSchema });
    const id = await codec.registerWriter();
    const random = seededRandom(19);
    const values = Array.from({ length: 300 }, () => order(random));
    const bytes = values.map((v) => codec.encode(v));
    await codec.prepare(bytes);
    for (const [i, b] of bytes.entries()) {
      expect(b[0]).toBe(0);
      expect(b.readInt32BE(1)).toBe(id);
      // The body is the value's JSON text, byte for byte (what other clients write and read).
      expect(b.subarray(5).toString('utf8')).toBe(JSON.stringify(values[i]));
      expect(codec.decode(b)).toEqual({ ok: true, value: values[i], schemaId: id });
    }
  });

  it('dead-letters seeded random records that break the schema with reason invalid, naming the path', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new JsonSchemaCodec<Order>({ registry, subject, readerSchema: orderSchema });
    const id = await codec.registerWriter();
    const random = seededRandom(7);
    const cases = Array.from({ length: 300 }, () => (random() < 0.5 ? { value: order(random), path: undefined } : broken(random)));
    const bytes = cases.map((c) => withBody(id, JSON.stringify(c.value)));
    await codec.prepare(bytes);
    let invalid = 0;
    for (const [i, c] of cases.entries()) {
      const result = codec.decode(bytes[i]);
      if (c.path === undefined) {
        expect(result).toEqual({ ok: true, value: c.value, schemaId: id });
      } else {
        invalid++;
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.reason).toBe('invalid');
        expect(result.message).toContain(`${c.path}:`);
        expect(() => codec.encode(c.value as unknown as Order)).toThrow(new RegExp(`${c.path.replace(/[[\]]/g, '\\$&')}:`));
      }
    }
    expect(invalid).toBeGreaterThan(100);
  });

  it('answers bad bytes, unknown ids and Avro ids without throwing', async () => {
    const registry = new InMemorySchemaRegistry({ firstId: 100 });
    const codec = new JsonSchemaCodec<Order>({ registry, subject, readerSchema: orderSchema });
    const id = await codec.registerWriter();
    const avroId = await new AvroCodec({ registry, subject: 'other-value', readerSchema: 'string' }).registerWriter();
    const unknownId = 100 + 50;
    const payloads = {
      unknown: withBody(unknownId, '{}'),
      avro: withBody(avroId, '{}'),
      notJson: withBody(id, '{"order_id": '),
      badUtf8: withBody(id, Buffer.from([0x22, 0xff, 0xfe, 0x22])),
      magic: Buffer.from([1, 0, 0, 0, id, 0x7b, 0x7d]),
      short: Buffer.from([0, 0, 0]),
      empty: Buffer.alloc(0),
    };
    await codec.prepare(Object.values(payloads));
    const reason = (b: Buffer): string => {
      const r = codec.decode(b);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(payloads.unknown)).toBe('unknown-schema');
    expect(reason(payloads.avro)).toBe('unresolvable');
    expect(reason(payloads.notJson)).toBe('corrupt');
    expect(reason(payloads.badUtf8)).toBe('corrupt');
    expect(reason(payloads.magic)).toBe('bad-magic');
    expect(reason(payloads.short)).toBe('truncated');
    expect(reason(payloads.empty)).toBe('truncated');
    expect(() => codec.decode(withBody(id + 1000, '{}'))).toThrow(/was not prepared/);
  });

  it('the in-memory registry keeps each id\'s schema type and refuses JSON where Avro is asked for', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.registerDocument(subject, { format: 'json', schema: orderSchema });
    expect(await registry.getDocumentById(id)).toEqual({ format: 'json', schema: orderSchema });
    await expect(registry.getSchemaById(id)).rejects.toBeInstanceOf(InvalidSchemaError);
    await expect(registry.getLatest(subject)).rejects.toBeInstanceOf(InvalidSchemaError);
    // Same text as Avro and as JSON: two schemas, two ids.
    const asString: JsonSchema = { type: 'string' };
    const jsonString = await registry.registerDocument('a-value', { format: 'json', schema: asString });
    expect(await registry.registerDocument('a-value', { format: 'json', schema: asString })).toBe(jsonString);
    expect((await registry.getLatestDocument('a-value'))?.document.format).toBe('json');
    await expect(registry.register('a-value', 'string')).rejects.toThrow(/holds a JSON schema/);
    await expect(registry.registerDocument('b-value', { format: 'json', schema: { type: 'nonsense' } })).rejects.toBeInstanceOf(InvalidSchemaError);
  });

  it('the in-memory registry refuses an incompatible JSON Schema evolution, naming the property', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.registerDocument(subject, { format: 'json', schema: orderSchema });
    const props = orderSchema.properties as Record<string, unknown>;
    const typeChanged = { ...orderSchema, properties: { ...props, amount: { type: 'string' } } };
    const err = await registry.registerDocument(subject, { format: 'json', schema: typeChanged }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompatibleSchemaError);
    expect((err as IncompatibleSchemaError).messages).toEqual([
      "property 'amount' changed type from number to string: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    const newlyRequired = { ...orderSchema, required: [...(orderSchema.required as string[]), 'note'] };
    expect((await registry.testDocumentCompatibility(subject, { format: 'json', schema: newlyRequired })).messages[0])
      .toMatch(/^property 'note' is required now and was optional before/);
    // A new optional property of a closed object is a compatible change.
    const added = { ...orderSchema, properties: { ...props, coupon: { type: 'string' } } };
    expect(await registry.testDocumentCompatibility(subject, { format: 'json', schema: added })).toEqual({ compatible: true, messages: [] });
    await registry.registerDocument(subject, { format: 'json', schema: added });
  });

  it('lists the reader schema\'s top-level properties for load-time checks', () => {
    const codec = new JsonSchemaCodec({ registry: new InMemorySchemaRegistry(), subject, readerSchema: orderSchema });
    expect(codec.fieldNames()).toEqual(['order_id', 'amount', 'status', 'tags', 'note']);
    expect(new JsonSchemaCodec({ registry: new InMemorySchemaRegistry(), subject, readerSchema: { type: 'string' } }).fieldNames()).toBeUndefined();
  });
});
