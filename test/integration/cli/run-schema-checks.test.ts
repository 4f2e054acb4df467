import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { boundedSluiceRun, withDatabase } from '../../support/bounded-run.js';
import { fixtureProject } from '../../support/sluice-process.js';

// Issue 18 through `sluice run`: a field the schema in schemas/ lacks ends the run at start-up,
// before it connects; a sink column whose type does not fit its field's Avro type ends it before
// any topology starts — both with exit 1 and a message naming the topology, the step and the fix.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const source = `schemachecks.${run}.lots`;
const dbSchema = `schemachecks_${run}`;
const lotSchema = {
  type: 'record',
  name: 'Lot',
  namespace: `dev.sluice.schemachecks${run}`,
  fields: [{ name: 'lot_id', type: 'string' }, { name: 'weight', type: 'double' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
};
const BOUND_MS = 75_000;

const aggregate = (name: string, groupField: string, table: string): string => `import { count, postgres, sum, topology, tumbling } from 'sluice';
export default topology('${name}').source<{ lot_id: string; weight: number; at: number }>('${source}', { schema: 'lot', eventTime: 'at' })
  .deadLetter('${source}.${name}.dlq')
  .groupBy('by-lot', '${groupField}' as 'lot_id')
  .window('minute', tumbling('1m'))
  .aggregate('weights', { lots: count(), weight: sum((e) => e.weight) })
  .toTable('${source}.${name}.weights')
  .sink('weights-pg', postgres({ table: '${table}', key: ['lot_id', 'window_start'] }));
`;

const project = fixtureProject(`schemachecks-${run}`, {
  'schemas/lot.avsc': JSON.stringify(lotSchema),
  'topologies/typo.ts': aggregate('typo', 'lot_idd', 'lot_weights'),
  'topologies/narrow.ts': aggregate('narrow', 'lot_id', 'lot_weights_bigint'),
  'sql/002_lots.sql': [
    'create table lot_weights (lot_id text, window_start timestamptz, window_end timestamptz, lots bigint, weight double precision, primary key (lot_id, window_start));',
    'create table lot_weights_bigint (lot_id text, window_start timestamptz, window_end timestamptz, lots bigint, weight bigint, primary key (lot_id, window_start));',
    '',
  ].join('\n'),
});

const services = { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, SLUICE_METRICS_PORT: '0' };
const databaseUrl = ((): string => {
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', `-c search_path=${dbSchema}`);
  return url.toString();
})();
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });

const database = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => withDatabase(stack.databaseUrl, work);
const sluiceRun = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> => boundedSluiceRun(project.dir, args, env, BOUND_MS);

beforeAll(async () => {
  await admin.ensureTopics([{ name: source, partitions: 1 }]);
  await database((client) => client.query(`create schema if not exists ${dbSchema}`));
});

afterAll(async () => {
  project.remove();
  const topics = [source, ...['typo', 'narrow'].flatMap((n) => [`${source}.${n}.dlq`, `${source}.${n}.weights`, `${n}.by-lot-repartition`, `${n}.weights-pg.dlq`])];
  await admin.deleteTopics(topics).catch(() => {});
  admin.close();
  await database((client) => client.query(`drop schema if exists ${dbSchema} cascade`));
});

describe.concurrent('sluice run: schema checks at start-up', () => {
  it('a groupBy field schemas/lot.avsc lacks ends the run before it connects, suggesting the field', async () => {
    const result = await sluiceRun(['typo'], { ...services, DATABASE_URL: databaseUrl });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`topology "typo": step "by-lot": groupBy field "lot_idd" is not a field of schema 'lot' (its fields: lot_id, weight, at); did you mean "lot_id"?`);
    expect(result.stderr).toContain(`Fix: group by a field the records have: .groupBy('by-lot', 'lot_id')`);
    expect(result.stderr, 'nothing connected').not.toContain('connecting');
  });

  it('a bigint column for a double sum ends the run before any topology starts, naming topology, sink, column and types', async () => {
    const result = await sluiceRun(['narrow'], { ...services, DATABASE_URL: databaseUrl });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`topology "narrow": sink weights-pg: column ${dbSchema}.lot_weights_bigint.weight is bigint, but field weight is double: a fraction would be truncated or refused.`);
    expect(result.stderr).toContain(`alter table ${dbSchema}.lot_weights_bigint alter column weight type double precision`);
    expect(result.stderr, 'no topology started').not.toContain('joined group');
  });
});
