import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadLetterColumns } from '../../../src/sinks/postgres/dead-letter-columns.js';
import { loadProjectSchemas } from '../../../src/cli/project-schemas.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { sinkSource } from '../../../src/runtime/sink/sink-source.js';
import type { PostgresSinkSpec } from '../../../src/sinks/index.js';
import { planTable } from '../../../src/sinks/postgres/index.js';
import { openPgliteDatabase, type TestDatabase } from '../../integration/postgres/support/test-database.js';

// Issue 18: the start-up check compares each sink column's type with its field's Avro type, as
// `sluice run` derives them (sinkSource); every example's tables must pass it after sql/.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const catalog = new TopologyCatalog(root);
const EXAMPLES = ['bus-telemetry', 'events-pipeline', 'heartbeat-monitoring', 'order-analytics', 'order-processing', 'order-storage', 'traffic-monitoring'];

describe("the examples' tables fit their sinks' Avro types", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openPgliteDatabase(); // applies sql/*.sql
  }, 60_000);
  afterAll(() => database?.close());

  test.each(EXAMPLES)('%s', async (name) => {
    const plan = await catalog.plan(name);
    const { resolve } = await loadProjectSchemas(root);
    expect(plan.sinks.length).toBeGreaterThan(0);
    for (const sink of plan.sinks) {
      const source = sinkSource(plan, sink.name, resolve);
      const spec = source.kind === 'dead-letter' ? deadLetterColumns(sink.spec as PostgresSinkSpec, source.fields) : (sink.spec as PostgresSinkSpec);
      const table = await planTable(database.db, spec, source.fields, { key: source.keySchema, value: source.valueSchema });
      expect(table.columns.length, sink.name).toBeGreaterThan(0);
    }
  });
});
