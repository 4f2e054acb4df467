import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSchemas, formatSchemaChecks, InMemorySchemaRegistry, InvalidSchemaError, loadSchemaFiles, registerSchemas,
} from '../../../src/serde/index.js';

const order = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { order_id: { type: 'string' }, amount: { type: 'number' } },
  required: ['order_id'],
};

async function dir(files: Record<string, unknown>): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sluice-json-schemas-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(d, name), typeof content === 'string' ? content : JSON.stringify(content));
  return d;
}

describe('JSON Schema files in schemas/', () => {
  it('loads .schema.json and .json with $schema beside .avsc, skipping other .json files', async () => {
    const d = await dir({
      'order.schema.json': order,
      'refund.json': { ...order, title: 'Refund' },
      'fixtures.json': { not: 'a schema' },
      'ping.avsc': { type: 'record', name: 'Ping', fields: [{ name: 'at', type: 'long' }] },
    });
    const loaded = await loadSchemaFiles(d);
    expect(loaded.map((s) => [s.name, s.format ?? 'avro', s.fullName])).toEqual([
      ['order', 'json', 'Order'], ['ping', 'avro', 'Ping'], ['refund', 'json', 'Refund'],
    ]);
  });

  it('refuses an invalid JSON Schema and a name given twice, naming the file', async () => {
    await expect(loadSchemaFiles(await dir({ 'bad.schema.json': { type: 'objekt' } }))).rejects.toThrow(/bad\.schema\.json: invalid JSON Schema/);
    const twice = loadSchemaFiles(await dir({ 'order.schema.json': order, 'order.avsc': { type: 'record', name: 'O', fields: [] } }));
    await expect(twice).rejects.toBeInstanceOf(InvalidSchemaError);
    await expect(loadSchemaFiles(await dir({ 'order.schema.json': order, 'order.avsc': { type: 'record', name: 'O', fields: [] } })))
      .rejects.toThrow(/schema name 'order' is also .*order\.avsc/);
  });

  it('check and register cover JSON Schemas: new, unchanged, incompatible with the property named', async () => {
    const registry = new InMemorySchemaRegistry();
    const subjects = { order: 'orders-value' };
    const v1 = await loadSchemaFiles(await dir({ 'order.schema.json': order }));
    expect((await checkSchemas(registry, v1, { subjects })).checks.map((c) => c.status)).toEqual(['new']);
    const registered = await registerSchemas(registry, v1, { subjects });
    expect(registered.registrations.map((r) => r.status)).toEqual(['created']);
    expect((await registry.getLatestDocument('orders-value'))?.document.format).toBe('json');
    expect((await registerSchemas(registry, v1, { subjects })).registrations.map((r) => r.status)).toEqual(['unchanged']);
    const broken = { ...order, properties: { ...order.properties, amount: { type: 'string' } } };
    const v2 = await loadSchemaFiles(await dir({ 'order.schema.json': broken }));
    const report = await checkSchemas(registry, v2, { subjects });
    expect(report.ok).toBe(false);
    expect(formatSchemaChecks(report)).toContain("property 'amount' changed type from number to string");
    const refused = await registerSchemas(registry, v2, { subjects });
    expect(refused.registrations.map((r) => r.status)).toEqual(['refused']);
  });
});
