import { describe, expect, it } from 'vitest';
import { avroJsonReplacer, consumedRecordLine } from '../../../src/cli/record-printer.js';
import { WriterSchemaDecoder } from '../../../src/cli/writer-schema-decoder.js';
import type { KafkaMessage } from '../../../src/kafka/index.js';
import { AvroCodec, InMemorySchemaRegistry, type AvroSchema } from '../../../src/serde/index.js';
import { corruptPayload, CORRUPTIONS, type Corruption } from '../../support/corrupt-payloads.js';

const pingSchema: AvroSchema = {
  type: 'record',
  name: 'Ping',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'at', type: 'long' },
    { name: 'raw', type: 'bytes' },
    { name: 'ratio', type: 'double' },
  ],
};

async function setup() {
  const registry = new InMemorySchemaRegistry({ firstId: 40 });
  const codec = new AvroCodec<Record<string, unknown>>({ registry, subject: 'pings-value', readerSchema: pingSchema });
  await codec.registerWriter();
  const keyCodec = new AvroCodec<Record<string, unknown>>({
    registry,
    subject: 'pings-key',
    readerSchema: { type: 'record', name: 'K', fields: [{ name: 'route', type: 'string' }, { name: 'window_start', type: 'long' }] },
  });
  await keyCodec.registerWriter();
  return { registry, codec, keyCodec, decoder: new WriterSchemaDecoder(registry) };
}

function message(fields: Partial<KafkaMessage>): KafkaMessage {
  return { topic: 'pings', partition: 2, offset: 7, timestamp: 1_767_600_000_000, size: 0, key: null, value: null, ...fields } as KafkaMessage;
}

describe('consumedRecordLine', () => {
  it('prints the fields in order, the value decoded with its writer schema, bytes as Avro JSON text and NaN as a string', async () => {
    const { codec, decoder } = await setup();
    const value = codec.encode({ id: 'p1', at: 1_767_600_000_123, raw: Buffer.from([0, 0x41, 0xff]), ratio: Number.NaN });
    await decoder.prepare([value]);
    const line = consumedRecordLine(message({ key: Buffer.from('p1'), value }), decoder);
    expect(line).toBe(
      '{"topic":"pings","partition":2,"offset":7,"timestamp":"2026-01-05T08:00:00.000Z","key":"p1","headers":{},' +
        '"value":{"id":"p1","at":1767600000123,"raw":"\\u0000Aÿ","ratio":"NaN"}}',
    );
    // The bytes read back as the same bytes: each character is one byte.
    expect(Buffer.from((JSON.parse(line) as { value: { raw: string } }).value.raw, 'latin1')).toEqual(Buffer.from([0, 0x41, 0xff]));
  });

  it('shows every kind of undecodable payload as base64 with its reason, and counts them', async () => {
    const { codec, decoder } = await setup();
    const valid = codec.encode({ id: 'p1', at: 1, raw: Buffer.alloc(0), ratio: 0.5 });
    const counts = { undecodable: 0 };
    const kinds = Object.keys(CORRUPTIONS) as Corruption[];
    const payloads = kinds.map((kind, i) => corruptPayload(kind, valid, codec.schemaId!, i + 1));
    await decoder.prepare(payloads);
    kinds.forEach((kind, i) => {
      const printed = JSON.parse(consumedRecordLine(message({ value: payloads[i]! }), decoder, counts)) as { value: { bytes: string; error: string } };
      expect(Buffer.from(printed.value.bytes, 'base64'), kind).toEqual(payloads[i]);
      expect(printed.value.error.startsWith(`${CORRUPTIONS[kind]}: `), `${kind}: ${printed.value.error}`).toBe(true);
    });
    expect(counts.undecodable).toBe(kinds.length);
    const plain = JSON.parse(consumedRecordLine(message({ value: Buffer.from('{"not":"avro"}') }), decoder, counts)) as { value: unknown };
    expect(plain.value).toEqual({ bytes: Buffer.from('{"not":"avro"}').toString('base64'), error: 'bad-magic: first byte is 0x7b, expected 0x00 (Confluent wire format)' });
    const tombstone = JSON.parse(consumedRecordLine(message({ value: null }), decoder, counts)) as { value: unknown };
    expect(tombstone.value).toBeNull();
    expect(counts.undecodable).toBe(kinds.length + 1);
  });

  it('decodes an Avro key; a text key stays text; a binary key or header is base64; a repeated header keeps every value', async () => {
    const { keyCodec, decoder } = await setup();
    const avroKey = keyCodec.encode({ route: 'r7', window_start: 60_000 });
    await decoder.prepare([avroKey]);
    const headers: Record<string, Buffer>[] = [
      { 'sluice.error.reason': Buffer.from('invalid') },
      { 'sluice.source.key': Buffer.from([0, 1, 2, 0xff]) },
      { trace: Buffer.from('a') },
      { trace: Buffer.from('b') },
      { trace: Buffer.from([0xc3, 0x28]) },
      { 'line\nbreak': Buffer.from('tab\tand é') },
    ];
    const printed = JSON.parse(consumedRecordLine(message({ key: avroKey, headers }), decoder)) as Record<string, unknown>;
    expect(printed.key).toEqual({ route: 'r7', window_start: 60_000 });
    expect(printed.headers).toEqual({
      'sluice.error.reason': 'invalid',
      'sluice.source.key': { bytes: 'AAEC/w==' },
      trace: ['a', 'b', { bytes: Buffer.from([0xc3, 0x28]).toString('base64') }],
      'line\nbreak': 'tab\tand é',
    });
    const binaryKey = JSON.parse(consumedRecordLine(message({ key: Buffer.from([0, 0, 0, 0]) }), decoder)) as Record<string, unknown>;
    expect(binaryKey.key).toEqual({ bytes: 'AAAAAA==' });
    const noTimestamp = JSON.parse(consumedRecordLine(message({ timestamp: -1, key: Buffer.from('') }), decoder)) as Record<string, unknown>;
    expect([noTimestamp.timestamp, noTimestamp.key]).toEqual([null, '']);
  });

  it('avroJsonReplacer: Buffers as text of their bytes, non-finite numbers and bigints as strings', () => {
    expect(JSON.stringify({ b: Buffer.from([0, 255]), x: Number.NaN, y: Number.NEGATIVE_INFINITY, n: 12n }, avroJsonReplacer)).toBe(
      '{"b":"\\u0000ÿ","x":"NaN","y":"-Infinity","n":"12"}',
    );
  });
});
