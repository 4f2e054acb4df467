import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, plan, topology, TopologyDefinitionError, tumbling } from 'sluice';
import { describe, expect, test } from 'vitest';
import { checkSchemaFiles, loadProjectSchemas } from '../../../src/cli/project-schemas.js';
import { checkTopologySchemas } from '../../../src/cli/start-up-checks.js';
import { randomInt, seededRandom } from '../state/seeded-random.js';

// Issue 19, item 4: a source may read a JSON Schema; the field checks `sluice run` and the driver make
// at load read its `properties` as they read an Avro record's fields.

type JsonType = 'integer' | 'number' | 'string' | 'boolean' | 'null' | 'object';
const TYPES: readonly JsonType[] = ['integer', 'number', 'string', 'boolean', 'null', 'object'];

/** The oracle: a property can hold epoch milliseconds when each of its non-null types is a number. */
function holdsEventTime(types: readonly JsonType[]): boolean {
  const nonNull = types.filter((t) => t !== 'null');
  return nonNull.length > 0 && nonNull.every((t) => t === 'integer' || t === 'number');
}

async function project(files: Readonly<Record<string, unknown>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-json-fields-'));
  await mkdir(join(dir, 'schemas'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, 'schemas', name), JSON.stringify(content));
  return dir;
}

describe('field checks against a JSON Schema source', () => {
  test('seeded: eventTime passes exactly when the property is integer or number (nullable or not), and must be a property', async () => {
    const random = seededRandom(1904);
    for (let round = 0; round < 40; round++) {
      const n = randomInt(random, 1, 3);
      const types = Array.from({ length: n }, () => TYPES[randomInt(random, 0, TYPES.length - 1)]!);
      const declared = [...new Set(types)];
      const missing = random() < 0.2;
      const schema = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { id: { type: 'string' }, [missing ? 'other' : 'at']: { type: declared.length === 1 ? declared[0] : declared } },
      };
      const dir = await project({ 'event.schema.json': schema });
      try {
        const { resolve } = await loadProjectSchemas(dir);
        const p = plan(topology(`t${round}`).source<{ at: number }>('events', { schema: 'event', eventTime: 'at' }).to('out', { schema: { type: 'record', name: 'O', fields: [] } }));
        const check = (): void => checkTopologySchemas(p, resolve);
        if (missing) expect(check, JSON.stringify(schema)).toThrow(/eventTime field "at" is not a field of schema 'event' \(its fields: id, other\)/);
        else if (holdsEventTime(declared)) expect(check, JSON.stringify(declared)).not.toThrow();
        else expect(check, JSON.stringify(declared)).toThrow(TopologyDefinitionError);
      } finally {
        await rm(dir, { recursive: true });
      }
    }
  });

  test('a string date-time says every record would be dead-lettered; a typo gets "did you mean"', async () => {
    const dir = await project({
      'event.schema.json': { type: 'object', properties: { occurred_at: { type: 'string', format: 'date-time' }, at_ms: { type: 'integer' } } },
    });
    try {
      const { resolve } = await loadProjectSchemas(dir);
      const byString = plan(topology('s').source<{ occurred_at: number }>('events', { schema: 'event', eventTime: 'occurred_at' }).deadLetter('dlq').to('o', { schema: 'x' }));
      expect(() => checkTopologySchemas(byString, resolve)).toThrow(/"occurred_at" it is of type string \(date-time\).*dead-lettered \(reason event-time\)/);
      const typo = plan(topology('s').source<{ at_mss: number }>('events', { schema: 'event', eventTime: 'at_mss' }).to('o', { schema: 'x' }));
      expect(() => checkTopologySchemas(typo, resolve)).toThrow(/did you mean "at_ms"/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('a groupBy after a JSON source: its field is checked against the properties, and the JSON schema itself is refused where Sluice writes Avro', async () => {
    const dir = await project({ 'event.schema.json': { type: 'object', properties: { lot: { type: 'string' }, at: { type: 'integer' } } } });
    try {
      const schemas = await loadProjectSchemas(dir);
      const grouped = (field: string) =>
        plan(
          topology('g')
            .source<{ lot: string; at: number }>('events', { schema: 'event', eventTime: 'at' })
            .groupBy('by-lot', field as 'lot')
            .window('w', tumbling('1m'), { late: 'drop' })
            .aggregate('n', { n: count() })
            .toTable('t'),
        );
      expect(() => checkTopologySchemas(grouped('lott'), schemas.resolve)).toThrow(/groupBy field "lott" is not a field of schema 'event'.*did you mean "lot"/s);
      expect(() => checkSchemaFiles(grouped('lot'), 'topologies/g.ts', schemas)).toThrow(
        "topologies/g.ts: step 'by-lot' (its repartition topic) uses schema 'event', a JSON Schema (schemas/event.schema.json), where Sluice writes Avro",
      );
      expect(() => schemas.resolve('event')).toThrow(/'event' is a JSON Schema \(schemas\/event.schema.json\).*Pass an Avro schema/s);
      expect(schemas.resolve.document?.('event').format).toBe('json');
      const fine = plan(topology('f').source<{ lot: string; at: number }>('events', { schema: 'event', eventTime: 'at' }).to('o', { schema: { type: 'record', name: 'O', fields: [] } }));
      expect(() => checkSchemaFiles(fine, 'topologies/f.ts', schemas)).not.toThrow();
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
