import { fileURLToPath } from 'node:url';
import type { PlanNode, TopologyPlan } from 'sluice';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadLetterColumns } from '../../../src/sinks/postgres/dead-letter-columns.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { DEAD_LETTER_ROW_SCHEMA } from '../../../src/runtime/sink/dead-letter-row.js';
import { loadSchemas, type AvroRecordSchema } from '../../../src/serde/index.js';
import type { PostgresSinkSpec } from '../../../src/sinks/index.js';
import { planTable } from '../../../src/sinks/postgres/index.js';
import { openPgliteDatabase, type TestDatabase } from '../../integration/postgres/support/test-database.js';
import { EXAMPLE_TOPOLOGIES } from '../../support/repo-examples.js';
import { SCHEMA_DIR } from './support/workload-driver.js';

const catalog = new TopologyCatalog(fileURLToPath(new URL('../../..', import.meta.url)));
const EXAMPLES = [...EXAMPLE_TOPOLOGIES];

/** The record fields a sink receives, as the sink runner derives them (state fields `…__sum` left out). */
async function sinkFields(plan: TopologyPlan, topic: string): Promise<string[]> {
  const schemas = new Map((await loadSchemas(SCHEMA_DIR)).map((s) => [s.name, s.schema]));
  const find = (node: PlanNode): PlanNode | undefined =>
    ('topic' in node && node.topic === topic && (node.kind === 'TableSinkNode' || node.kind === 'StreamSinkNode') ? node : undefined) ??
    node.next.map(find).find((n) => n !== undefined);
  const writer = plan.subTopologies.flatMap((s) => s.sources).map(find).find((n) => n !== undefined);
  if (writer?.kind === 'TableSinkNode') {
    const value = (typeof writer.valueSchema === 'string' ? schemas.get(writer.valueSchema) : writer.valueSchema) as AvroRecordSchema;
    return value.fields.map((f) => f.name).filter((f) => !f.includes('__'));
  }
  if (writer?.kind !== 'StreamSinkNode') throw new Error(`nothing in ${plan.topology} writes ${topic}`);
  const schema = (typeof writer.schema === 'string' ? schemas.get(writer.schema) : writer.schema) as AvroRecordSchema;
  return schema.fields.map((f) => f.name);
}

describe('the migrations in sql/ fit every sink of the example topologies', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openPgliteDatabase(); // applies sql/*.sql
  }, 60_000);
  afterAll(() => database?.close());

  test('the catalog lists the examples and loads each under its file name', async () => {
    expect(catalog.names()).toEqual(expect.arrayContaining(EXAMPLES));
    for (const name of EXAMPLES) expect((await catalog.load(name)).name).toBe(name);
  });

  test.each(EXAMPLES)('%s: each sink table has a column per field and a unique key for ON CONFLICT', async (name) => {
    const plan = await catalog.plan(name);
    expect(plan.sinks.length).toBeGreaterThan(0);
    for (const sink of plan.sinks) {
      const deadLetters = plan.topics.some((t) => t.name === sink.topic && t.role === 'dead-letter');
      const fields = deadLetters ? DEAD_LETTER_ROW_SCHEMA.fields.map((f) => f.name) : await sinkFields(plan, sink.topic);
      const spec = deadLetters ? deadLetterColumns(sink.spec as PostgresSinkSpec, fields) : (sink.spec as PostgresSinkSpec);
      const table = await planTable(database.db, spec, fields);
      expect(table.columns.map((c) => c.column).sort(), sink.name).toEqual([...new Set([...fields, ...table.spec.key])].sort());
      for (const column of table.columns.filter((c) => c.column.startsWith('window_') || c.column === 'timestamp')) {
        expect(column.udtName, `${sink.name}.${column.column}`).toBe('timestamptz');
      }
    }
  });
});
