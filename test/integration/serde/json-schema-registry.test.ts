import { randomUUID } from 'node:crypto';
import { SchemaRegistry as KafkajsRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, inject, it } from 'vitest';
import {
  HttpSchemaRegistry, IncompatibleSchemaError, InvalidSchemaError, JsonSchemaCodec, type JsonSchema,
} from '../../../src/serde/index.js';
import { seededRandom } from '../../support/bus-workload.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);

// draft-07: what @kafkajs/confluent-schema-registry's default ajv reads and Apicurio's checker understands.
const v1: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    sensor_id: { type: 'string' },
    reading: { type: 'number' },
    ts: { type: 'integer' },
    unit: { type: 'string', enum: ['celsius', 'kelvin'] },
  },
  required: ['sensor_id', 'reading', 'ts'],
  additionalProperties: false,
};
const props = v1.properties as Record<string, unknown>;
/** `reading` becomes a string: refused under BACKWARD. */
const typeChanged: JsonSchema = { ...v1, properties: { ...props, reading: { type: 'string' } } };
/** A new optional property of a closed object: compatible under BACKWARD. */
const v2: JsonSchema = { ...v1, properties: { ...props, site: { type: 'string' } } };

interface Reading { sensor_id: string; reading: number; ts: number; unit?: 'celsius' | 'kelvin'; site?: string }

function readings(seed: number, n: number): Reading[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const r: Reading = { sensor_id: `s-${Math.floor(random() * 50)}-é`, reading: Math.round(random() * 1e5) / 100 - 300, ts: 1_763_000_000_000 + i };
    if (random() < 0.5) r.unit = random() < 0.5 ? 'celsius' : 'kelvin';
    return r;
  });
}

describe('JSON Schema through the real registry', () => {
  const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });

  it('registers with schemaType JSON and round-trips seeded records through the wire format', async () => {
    const subject = `json.${run}.rt-value`;
    const codec = new JsonSchemaCodec<Reading>({ registry, subject, readerSchema: v1 });
    const id = await codec.registerWriter();
    // A fresh client sees the stored type, not a cached one.
    const fresh = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    expect(await fresh.getDocumentById(id)).toEqual({ format: 'json', schema: v1 });
    expect((await fresh.getLatestDocument(subject))?.document.format).toBe('json');
    await expect(fresh.getSchemaById(id)).rejects.toBeInstanceOf(InvalidSchemaError);
    const values = readings(3, 200);
    const bytes = values.map((v) => codec.encode(v));
    const reader = new JsonSchemaCodec<Reading>({ registry: fresh, subject, readerSchema: v1 });
    await reader.prepare(bytes);
    expect(bytes.map((b) => reader.decode(b))).toEqual(values.map((value) => ({ ok: true, value, schemaId: id })));
    const bad = Buffer.concat([bytes[0]!.subarray(0, 5), Buffer.from('{"sensor_id":"s","reading":"hot","ts":1}')]);
    expect(reader.decode(bad)).toMatchObject({ ok: false, reason: 'invalid', message: expect.stringContaining('reading: must be number') });
  });

  it('refuses an incompatible evolution under BACKWARD with a message naming the property, and accepts a compatible one', async () => {
    const subject = `json.${run}.evo-value`;
    await registry.registerDocument(subject, { format: 'json', schema: v1 });
    await registry.setCompatibility('BACKWARD', subject);
    const verdict = await registry.testDocumentCompatibility(subject, { format: 'json', schema: typeChanged });
    expect(verdict.compatible).toBe(false);
    expect(verdict.messages).toEqual([
      "property 'reading' changed type from number to string: a reader with the new schema cannot read data written with the old one (BACKWARD)",
    ]);
    const refused = await registry.registerDocument(subject, { format: 'json', schema: typeChanged }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IncompatibleSchemaError);
    expect(String(refused)).toContain("property 'reading' changed type from number to string");
    expect(await registry.testDocumentCompatibility(subject, { format: 'json', schema: v2 })).toEqual({ compatible: true, messages: [] });
    await registry.registerDocument(subject, { format: 'json', schema: v2 });
    expect((await registry.getLatestDocument(subject))?.version).toBe(2);
  });

  it('interoperates with @kafkajs/confluent-schema-registry: what it encodes we decode, and what we encode it decodes', async () => {
    const subject = `json.${run}.interop-value`;
    const kafkajs = new KafkajsRegistry({ host: stack.schemaRegistryUrl });
    const { id } = await kafkajs.register({ type: SchemaType.JSON, schema: JSON.stringify(v1) }, { subject });
    const codec = new JsonSchemaCodec<Reading>({ registry, subject, readerSchema: v1 });
    expect(await codec.registerWriter()).toBe(id); // the same schema: the same id
    const values = readings(5, 100);
    const theirs = await Promise.all(values.map((v) => kafkajs.encode(id, v)));
    await codec.prepare(theirs);
    expect(theirs.map((b) => codec.decode(b))).toEqual(values.map((value) => ({ ok: true, value, schemaId: id })));
    const ours = values.map((v) => codec.encode(v));
    expect(await Promise.all(ours.map((b) => kafkajs.decode(b)))).toEqual(values);
  });
});
