import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AvroCodec, InMemorySchemaRegistry, loadSchemaFile, parseAvroSchema } from '../../../src/serde/index.js';

const paymentFile = fileURLToPath(new URL('./fixtures/schemas/payment.avsc', import.meta.url));

describe('logical types', () => {
  it('decode to documented JS values: decimal → exact string, uuid → string, timestamp-millis → number', async () => {
    const { schema } = await loadSchemaFile(paymentFile);
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec<Record<string, unknown>>({ registry, subject: 'payments-value', readerSchema: schema });
    await codec.registerWriter();
    const payment = {
      payment_id: '4b7f2a1e-8c3d-4f5a-9b6e-1d2c3b4a5f6e',
      amount: '1234567.5',
      fee: -0.125,
      status: 'SETTLED',
      paid_at: 1_700_000_000_123,
      card: { last4: '4242', digest: Buffer.from('01234567') },
      tags: ['a'],
      attributes: { n: 1, m: null },
      raw: Buffer.from([1, 2]),
      retry_count: 0,
    };
    const bytes = codec.encode(payment);
    await codec.prepare([bytes]);
    expect(codec.decode(bytes)).toMatchObject({
      ok: true,
      value: { ...payment, amount: '1234567.50', fee: '-0.125', paid_at: 1_700_000_000_123 },
    });
  });

  it('round-trips decimals exactly and refuses values that do not fit', () => {
    const type = parseAvroSchema({ type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 });
    for (const [input, output] of [
      ['0', '0.00'], ['-0.01', '-0.01'], ['9999.99', '9999.99'], ['-128', '-128.00'], ['127.5', '127.50'],
      [0.1 + 0.2, '0.30'], [12n, '12.00'], ['-0.5', '-0.50'],
    ] as const) {
      expect(type.fromBuffer(type.toBuffer(input))).toBe(output);
    }
    expect(type.isValid('10000.00')).toBe(false); // precision 6
    expect(type.isValid('1.001')).toBe(false); // scale 2: no silent rounding
    expect(type.isValid('abc')).toBe(false);
  });

  it('resolves bytes written without the logical type into a decimal reader', () => {
    const writer = parseAvroSchema({ type: 'record', name: 'P', fields: [{ name: 'v', type: 'bytes' }] });
    const reader = parseAvroSchema({
      type: 'record', name: 'P', fields: [{ name: 'v', type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 1 } }],
    });
    const buf = writer.toBuffer({ v: Buffer.from([0x04, 0xd2]) }); // 1234
    expect(reader.fromBuffer(buf, reader.createResolver(writer))).toEqual({ v: '123.4' });
  });

  it('refuses to read a decimal written with another scale instead of misplacing the point', async () => {
    const registry = new InMemorySchemaRegistry({ compatibility: 'NONE' });
    const price = (scale: number) => ({
      type: 'record', name: 'Price', fields: [{ name: 'v', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale } }],
    }) as const;
    const writer = new AvroCodec<{ v: string }>({ registry, subject: 'p-value', readerSchema: price(2) });
    await writer.registerWriter();
    const bytes = writer.encode({ v: '12.50' });
    const reader = new AvroCodec<{ v: string }>({ registry, subject: 'p-value', readerSchema: price(3) });
    await reader.prepare([bytes]);
    expect(reader.decode(bytes)).toMatchObject({ ok: false, reason: 'unresolvable' });
  });

  it('falls back to bytes for an invalid decimal as the spec says, unless strict', () => {
    const schema = { type: 'bytes', logicalType: 'decimal', scale: 2 } as const;
    expect(parseAvroSchema(schema).typeName).toBe('bytes');
    expect(() => parseAvroSchema(schema, { strict: true })).toThrow(/precision/);
  });
});
