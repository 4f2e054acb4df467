import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkSchemas, formatSchemaChecks, formatSchemaRegistrations, InMemorySchemaRegistry, InvalidSchemaError,
  loadSchemaFile, loadSchemas, registerSchemas, subjectFor,
} from '../../../src/serde/index.js';
import { busTelemetryV1, busTelemetryV3 } from './fixtures/bus-telemetry-schemas.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const subjects = { 'bus-telemetry': 'bus.telemetry-value' };

describe('subjectFor', () => {
  it('follows TopicNameStrategy by default and RecordNameStrategy on request', () => {
    expect(subjectFor('bus.telemetry', 'value')).toBe('bus.telemetry-value');
    expect(subjectFor('bus.route-stats.1m', 'key')).toBe('bus.route-stats.1m-key');
    expect(subjectFor('bus.telemetry', 'value', 'record', 'sluice.bus.BusTelemetry')).toBe('sluice.bus.BusTelemetry');
    expect(() => subjectFor('bus.telemetry', 'value', 'record')).toThrow(/fully qualified name/);
  });
});

describe('loadSchemas', () => {
  it('loads every .avsc file of a directory, named after the file', async () => {
    const schemas = await loadSchemas(join(fixtures, 'schemas'));
    expect(schemas.map((s) => [s.name, s.fullName])).toEqual([
      ['bus-telemetry', 'sluice.bus.BusTelemetry'],
      ['payment', 'sluice.shop.Payment'],
    ]);
  });

  it('names the file of an invalid schema', async () => {
    const error = await loadSchemaFile(join(fixtures, 'broken-type', 'speed.avsc')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSchemaError);
    expect((error as Error).message).toMatch(/broken-type\/speed\.avsc: invalid Avro schema: .*dubble/);
    await expect(loadSchemas(join(fixtures, 'broken-json'))).rejects.toThrow(/oops\.avsc: invalid Avro schema: not valid JSON/);
    await expect(loadSchemas(join(fixtures, 'missing'))).rejects.toThrow(/^cannot read schema directory/);
  });

  it('refuses two files defining the same record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-schemas-'));
    await writeFile(join(dir, 'a.avsc'), JSON.stringify(busTelemetryV1));
    await writeFile(join(dir, 'b.avsc'), JSON.stringify(busTelemetryV1));
    await expect(loadSchemas(dir)).rejects.toThrow(/b\.avsc: .*already defined in .*a\.avsc/);
  });
});

async function schemaDir(schema: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-schemas-'));
  await writeFile(join(dir, 'bus-telemetry.avsc'), JSON.stringify(schema));
  return dir;
}

describe('checkSchemas and registerSchemas', () => {
  it('reports new, unchanged, compatible and incompatible schemas with readable reasons', async () => {
    const registry = new InMemorySchemaRegistry();
    const v2 = await loadSchemas(join(fixtures, 'schemas'));
    const first = await checkSchemas(registry, v2, { subjects });
    expect(first.checks.map((c) => [c.subject, c.status])).toEqual([
      ['bus.telemetry-value', 'new'],
      ['sluice.shop.Payment', 'new'],
    ]);
    await registry.register('bus.telemetry-value', busTelemetryV1);
    const evolved = await checkSchemas(registry, v2, { subjects, unmapped: 'skip' });
    expect(evolved).toMatchObject({ ok: true, checks: [{ status: 'compatible', latestVersion: 1, compatibility: 'BACKWARD' }] });
    const v3 = await loadSchemas(await schemaDir(busTelemetryV3));
    const broken = await checkSchemas(registry, v3, { subjects });
    expect(broken.ok).toBe(false);
    expect(formatSchemaChecks(broken)).toBe([
      'FAIL bus-telemetry -> bus.telemetry-value: incompatible with version 1 (BACKWARD)',
      "  - field 'speed_kmh' changed type from double to string: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ].join('\n'));
  });

  it('explains FORWARD and FULL failures from the other side', async () => {
    const registry = new InMemorySchemaRegistry({ compatibility: 'FULL' });
    await registry.register('bus.telemetry-value', busTelemetryV1);
    const dropsRequired = { ...busTelemetryV1, fields: busTelemetryV1.fields.filter((f) => f.name !== 'route_id') };
    const report = await checkSchemas(registry, await loadSchemas(await schemaDir(dropsRequired)), { subjects });
    expect(report.checks[0]?.messages).toEqual([
      "field 'route_id' was removed, and the old schema has no default for it: a reader with the old schema cannot read data written with the new one (FULL)",
    ]);
  });

  it('registers idempotently, sets the level, and reports refusals without throwing', async () => {
    const registry = new InMemorySchemaRegistry();
    const schemas = await loadSchemas(join(fixtures, 'schemas'));
    const first = await registerSchemas(registry, schemas, { subjects, compatibility: 'FULL_TRANSITIVE' });
    expect(first.registrations.map((r) => [r.subject, r.status, r.version])).toEqual([
      ['bus.telemetry-value', 'created', 1],
      ['sluice.shop.Payment', 'created', 1],
    ]);
    expect(await registry.getCompatibility('bus.telemetry-value')).toBe('FULL_TRANSITIVE');
    const again = await registerSchemas(registry, schemas, { subjects });
    expect(again.registrations.map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
    expect(again.registrations[0]?.id).toBe(first.registrations[0]?.id);
    const refused = await registerSchemas(registry, await loadSchemas(await schemaDir(busTelemetryV3)), { subjects });
    expect(refused.ok).toBe(false);
    expect(formatSchemaRegistrations(refused)).toMatch(/^refused {3}bus-telemetry -> bus.telemetry-value\n {2}- field 'speed_kmh' changed type/);
  });
});
