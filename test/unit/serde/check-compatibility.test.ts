import { describe, expect, it } from 'vitest';
import {
  checkCompatibility, IncompatibleSchemaError, InMemorySchemaRegistry,
  type AvroField, type AvroSchema, type CompatibilityLevel,
} from '../../../src/serde/index.js';
import { busTelemetryV1, busTelemetryV2, busTelemetryV3 } from './fixtures/bus-telemetry-schemas.js';

const record = (...fields: AvroField[]): AvroSchema => ({ type: 'record', name: 'R', namespace: 't', fields });

describe('checkCompatibility', () => {
  const v1 = { version: 1, schema: busTelemetryV1 };
  const v2 = { version: 2, schema: busTelemetryV2 };

  it.each<[CompatibilityLevel, AvroSchema, boolean]>([
    ['BACKWARD', busTelemetryV2, true],
    ['FORWARD', busTelemetryV2, true],
    ['FULL', busTelemetryV2, true],
    ['BACKWARD', busTelemetryV3, false],
    ['NONE', busTelemetryV3, true],
  ])('%s: v1 → candidate compatible=%s', (level, candidate, compatible) => {
    expect(checkCompatibility(candidate, [v1], level).compatible).toBe(compatible);
  });

  it('checks only the latest version unless transitive', () => {
    // v1 had `note` (optional); a candidate that re-adds `note` as a required int
    // is fine against v2 (which dropped it) but not against v1.
    const candidate = { ...busTelemetryV2, fields: [...busTelemetryV2.fields, { name: 'note', type: 'int', default: 0 }] };
    expect(checkCompatibility(candidate, [v1, v2], 'BACKWARD').compatible).toBe(true);
    const transitive = checkCompatibility(candidate, [v1, v2], 'BACKWARD_TRANSITIVE');
    expect(transitive.messages).toEqual([
      "version 1: field 'note' changed type from union [null, string] to int: a reader with the new schema cannot read data written with the old one (BACKWARD_TRANSITIVE)",
    ]);
  });

  it('explains added fields, enums, unions, nested fields and renamed records', () => {
    const kind = (symbols: string[]): AvroField => ({ name: 'kind', type: { type: 'enum', name: 'Kind', symbols } });
    const explain = (candidate: AvroSchema, old: AvroSchema, level: CompatibilityLevel = 'BACKWARD') =>
      checkCompatibility(candidate, [{ version: 1, schema: old }], level).messages;
    expect(explain(record({ name: 'a', type: 'int' }, { name: 'b', type: 'int' }), record({ name: 'a', type: 'int' }))).toEqual([
      "field 'b' was added without a default: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    expect(explain(record(kind(['A'])), record(kind(['A', 'B'])))).toEqual([
      "field 'kind' (enum t.Kind) removed symbol(s) 'B' and has no default symbol: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    expect(explain(record(kind(['A', 'B'])), record(kind(['A'])), 'FORWARD')).toEqual([
      "field 'kind' (enum t.Kind) added symbol(s) 'B' that the old enum lacks and has no default symbol: a reader with the old schema cannot read data written with the new one (FORWARD)",
    ]);
    expect(explain(record({ name: 'u', type: ['null', 'int'] }), record({ name: 'u', type: ['null', 'int', 'string'] }))).toEqual([
      "field 'u' no longer accepts string (a union branch was removed or changed): a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    const nested = (t: string): AvroSchema => record({ name: 'pos', type: { type: 'record', name: 'Pos', fields: [{ name: 'lat', type: t }] } });
    expect(explain(nested('int'), nested('double'))).toEqual([
      "field 'pos.lat' changed type from double to int: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    expect(explain(nested('double'), nested('int'))).toEqual([]); // int → double is a promotion
    expect(explain({ type: 'record', name: 'S', fields: [] }, record())).toEqual([
      'the schema renamed its record from t.R to S without an alias: a reader with the new schema cannot read data written with the old one (BACKWARD)',
    ]);
  });
});

describe('InMemorySchemaRegistry', () => {
  it('gives ids by content, shared across subjects, and versions per subject', async () => {
    const registry = new InMemorySchemaRegistry();
    const id1 = await registry.register('a-value', busTelemetryV1);
    const reordered = Object.fromEntries(Object.entries(busTelemetryV1).reverse()) as AvroSchema;
    expect(await registry.register('b-value', reordered)).toBe(id1);
    const id2 = await registry.register('a-value', busTelemetryV2);
    expect(await registry.getLatest('a-value')).toEqual({ id: id2, version: 2, schema: busTelemetryV2 });
    expect(await registry.register('a-value', busTelemetryV1)).toBe(id1); // already a version: no new one
    expect((await registry.getLatest('a-value'))?.version).toBe(2);
  });

  it('enforces the subject level over the global one', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.register('s-value', busTelemetryV2);
    await expect(registry.register('s-value', busTelemetryV3)).rejects.toBeInstanceOf(IncompatibleSchemaError);
    await registry.setCompatibility('NONE', 's-value');
    expect(await registry.getCompatibility('s-value')).toBe('NONE');
    expect(await registry.getCompatibility()).toBe('BACKWARD');
    await expect(registry.register('s-value', busTelemetryV3)).resolves.toBeTypeOf('number');
  });

  it('refuses invalid schemas', async () => {
    await expect(new InMemorySchemaRegistry().register('x', { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] }))
      .rejects.toThrow(/invalid Avro schema/);
  });
});
