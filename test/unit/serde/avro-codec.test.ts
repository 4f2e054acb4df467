import { describe, expect, it, vi } from 'vitest';
import {
  AvroCodec, InMemorySchemaRegistry, IncompatibleSchemaError, RegistryUnavailableError,
} from '../../../src/serde/index.js';
import {
  busTelemetryV1, busTelemetryV2, busTelemetryV3, type BusTelemetryV1, type BusTelemetryV2,
} from './fixtures/bus-telemetry-schemas.js';

const subject = 'bus.telemetry-value';

describe('AvroCodec', () => {
  it('round-trips a value in the Confluent wire format', async () => {
    const registry = new InMemorySchemaRegistry({ firstId: 7 });
    const codec = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    const id = await codec.registerWriter();
    const value = { bus_id: 'b1', route_id: 'r9', speed_kmh: 42.5, note: null, timestamp: 1_700_000_000_000 };
    const bytes = codec.encode(value);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    await codec.prepare([bytes]);
    expect(codec.decode(bytes)).toEqual({ ok: true, value, schemaId: id });
  });

  it('reads v1 and v2 records interleaved as the v2 reader type', async () => {
    const registry = new InMemorySchemaRegistry();
    const v1 = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    const v2 = new AvroCodec<BusTelemetryV2>({ registry, subject, readerSchema: busTelemetryV2 });
    const id1 = await v1.registerWriter();
    const id2 = await v2.registerWriter();
    expect(id2).not.toBe(id1);
    const batch = [
      v1.encode({ bus_id: 'a', route_id: 'r', speed_kmh: 10, note: 'dropped', timestamp: 1 }),
      v2.encode({ bus_id: 'b', route_id: 'r', speed_kmh: 20, passengers: 5, timestamp: 2 }),
      v1.encode({ bus_id: 'c', route_id: 'r', speed_kmh: 30, note: null, timestamp: 3 }),
    ];
    const reader = new AvroCodec<BusTelemetryV2>({ registry, subject, readerSchema: busTelemetryV2 });
    await reader.prepare(batch);
    expect(batch.map((b) => reader.decode(b))).toEqual([
      { ok: true, schemaId: id1, value: { bus_id: 'a', route_id: 'r', speed_kmh: 10, passengers: 0, timestamp: 1 } },
      { ok: true, schemaId: id2, value: { bus_id: 'b', route_id: 'r', speed_kmh: 20, passengers: 5, timestamp: 2 } },
      { ok: true, schemaId: id1, value: { bus_id: 'c', route_id: 'r', speed_kmh: 30, passengers: 0, timestamp: 3 } },
    ]);
  });

  it('refuses to register an incompatible v3 with a message naming the field', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.register(subject, busTelemetryV1);
    await registry.register(subject, busTelemetryV2);
    const v3 = new AvroCodec({ registry, subject, readerSchema: busTelemetryV3 });
    const error = await v3.registerWriter().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompatibleSchemaError);
    expect((error as IncompatibleSchemaError).messages).toEqual([
      "field 'speed_kmh' changed type from double to string: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
  });

  it('reports a writer schema the reader cannot resolve as unresolvable', async () => {
    const registry = new InMemorySchemaRegistry({ compatibility: 'NONE' });
    const v3 = new AvroCodec<unknown>({ registry, subject, readerSchema: busTelemetryV3 });
    await v3.registerWriter();
    const bytes = v3.encode({ bus_id: 'a', route_id: 'r', speed_kmh: 'fast', passengers: 1, timestamp: 1 });
    const reader = new AvroCodec({ registry, subject, readerSchema: busTelemetryV2 });
    await reader.prepare([bytes]);
    expect(reader.decode(bytes)).toMatchObject({ ok: false, reason: 'unresolvable' });
  });

  it('fetches each writer schema once per process, across codecs and batches', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    await writer.registerWriter();
    const records = Array.from({ length: 1000 }, (_, i) =>
      writer.encode({ bus_id: `b${i}`, route_id: 'r', speed_kmh: i, note: null, timestamp: i }));
    const spy = vi.spyOn(registry, 'getSchemaById');
    const readers = [1, 2, 3].map(() => new AvroCodec({ registry, subject, readerSchema: busTelemetryV2 }));
    await Promise.all(readers.map((r) => r.prepare(records.slice(0, 10))));
    for (const reader of readers) {
      for (let i = 0; i < records.length; i += 100) {
        const batch = records.slice(i, i + 100);
        await reader.prepare(batch);
        for (const b of batch) expect(reader.decode(b).ok).toBe(true);
      }
    }
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('propagates an outage from prepare and recovers when the registry returns', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    await writer.registerWriter();
    const bytes = writer.encode({ bus_id: 'a', route_id: 'r', speed_kmh: 1, note: null, timestamp: 1 });
    const reader = new AvroCodec({ registry, subject, readerSchema: busTelemetryV2 });
    registry.setAvailable(false);
    await expect(reader.prepare([bytes])).rejects.toBeInstanceOf(RegistryUnavailableError);
    registry.setAvailable(true);
    await reader.prepare([bytes]);
    expect(reader.decode(bytes).ok).toBe(true);
  });

  it('lets registerWriter be retried after an outage', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    registry.setAvailable(false);
    await expect(codec.registerWriter()).rejects.toBeInstanceOf(RegistryUnavailableError);
    registry.setAvailable(true);
    await expect(codec.registerWriter()).resolves.toBeTypeOf('number');
  });

  it('decodes without I/O once prepared, even during an outage (warm cache)', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    await writer.registerWriter();
    const bytes = writer.encode({ bus_id: 'a', route_id: 'r', speed_kmh: 1, note: null, timestamp: 1 });
    await new AvroCodec({ registry, subject, readerSchema: busTelemetryV2 }).prepare([bytes]);
    registry.setAvailable(false);
    const fresh = new AvroCodec({ registry, subject, readerSchema: busTelemetryV2 });
    await fresh.prepare([bytes]);
    expect(fresh.decode(bytes).ok).toBe(true);
  });

  it('throws on encode before registerWriter and names invalid fields', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    const value = { bus_id: 'a', route_id: 'r', speed_kmh: 1, note: null, timestamp: 1 };
    expect(() => codec.encode(value)).toThrow(/registerWriter/);
    await codec.registerWriter();
    expect(() => codec.encode({ ...value, speed_kmh: 'fast' as unknown as number })).toThrow(/speed_kmh: expected double/);
  });

  it('encodes values larger than its scratch buffer', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec<BusTelemetryV1>({ registry, subject, readerSchema: busTelemetryV1 });
    await codec.registerWriter();
    const value = { bus_id: 'x'.repeat(100_000), route_id: 'r', speed_kmh: 1, note: null, timestamp: 1 };
    const bytes = codec.encode(value);
    await codec.prepare([bytes]);
    expect(codec.decode(bytes)).toMatchObject({ ok: true, value });
  });

  it('throws a programming error when decode is called for an id prepare never saw', () => {
    const codec = new AvroCodec({ registry: new InMemorySchemaRegistry(), subject, readerSchema: busTelemetryV1 });
    expect(() => codec.decode(Buffer.from([0, 0, 0, 0, 9, 0]))).toThrow(/prepare/);
  });
});
