import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, PartitionReader, RecordProducer, type TopicPartition } from '../../../src/kafka/index.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { awaitQuiescence } from '../../support/await-quiescence.js';
import { readTable, readTopic } from '../../support/kafka-test-kit.js';
import { SluiceChild } from '../../support/sluice-child.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';
import { header, stopChild } from '../../support/topology-e2e.js';
import { randomInt, seededRandom } from '../../unit/state/seeded-random.js';

// Issue 19, item 4 end to end: a project whose source reads JSON Schema events
// (schemas/order.schema.json). `sluice produce` writes JSON lines into the topic (registering the
// schema as schemaType JSON), a foreign producer adds values the schema refuses and bodies that
// are not JSON, and `sluice run` aggregates the good ones and dead-letters the others.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const name = `json-orders-${run}`;
const topics = { source: `json-${run}.orders`, dlq: `json-${run}.orders.dlq`, table: `json-${run}.spend.1m` };
const SEED = Number(process.env.SLUICE_TEST_SEED ?? 20261206);
const env = { ...process.env, KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, SLUICE_METRICS_PORT: '0' };
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
// A minute back, on a whole minute: every record is within the window's grace.
const START_MS = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
const CUSTOMERS = ['ann', 'bob', 'cyd', 'dee'];

const orderSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Order',
  type: 'object',
  properties: { customer: { type: 'string', minLength: 1 }, amount: { type: 'number', minimum: 0 }, at: { type: 'integer' } },
  required: ['customer', 'amount', 'at'],
};

const project = fixtureProject(`json-source-${run}`, {
  'schemas/order.schema.json': JSON.stringify(orderSchema, null, 2),
  [`topologies/${name}.ts`]: `import { count, sum, topology, tumbling } from 'sluice';

interface Order { customer: string; amount: number; at: number }

export default topology('${name}')
  .source<Order>('${topics.source}', { schema: 'order', eventTime: 'at' })
  .deadLetter('${topics.dlq}')
  .groupBy('by-customer', 'customer', {
    schema: { type: 'record', name: 'Order', namespace: 'test.json${run}', fields: [
      { name: 'customer', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'at', type: 'long' },
    ] },
  })
  .window('per-minute', tumbling('1m'), { grace: '1h' })
  .aggregate('spend', { orders: count(), amount: sum((o) => o.amount) })
  .toTable('${topics.table}');
`,
});

interface Order {
  customer: string;
  amount: number;
  at: number;
}

const random = seededRandom(SEED);
const good: Order[] = Array.from({ length: 200 }, (_, i) => ({
  customer: CUSTOMERS[randomInt(random, 0, CUSTOMERS.length - 1)]!,
  amount: randomInt(random, 0, 10_000) / 100,
  at: START_MS + randomInt(random, 0, 179_999),
}));
/** Values the schema refuses, each with the path its message must name. */
const refused: { value: Record<string, unknown>; path: string }[] = Array.from({ length: 12 }, (_, i) =>
  i % 3 === 0
    ? { value: { customer: 'eve', amount: -1 - i, at: START_MS + i }, path: 'amount' }
    : i % 3 === 1
      ? { value: { customer: i, amount: 1, at: START_MS + i }, path: 'customer' }
      : { value: { customer: 'eve', amount: 1, at: String(START_MS) }, path: 'at' },
);
const NOT_JSON = ['{"customer":"eve",', 'not json at all', '\u00ff\u00fe'];

beforeAll(async () => {
  await admin.ensureTopics([{ name: topics.source, partitions: 2 }]);
}, 60_000);

afterAll(async () => {
  await admin.deleteGroups([name]).catch(() => {});
  await admin.deleteTopics([topics.source, topics.dlq, topics.table, `${name}.by-customer-repartition`]).catch(() => {});
  admin.close();
  project.remove();
});

describe('sluice run with a JSON Schema source, on the real stack', () => {
  it('sluice produce writes JSON lines with the JSON Schema (registered as schemaType JSON), refusing a line that does not fit', async () => {
    const lines = good.map((o) => JSON.stringify(o)).join('\n');
    const produced = await SluiceChild.run(['produce', topics.source, '--key', 'customer'], { cwd: project.dir, env, input: `${lines}\n` });
    expect(produced.code, produced.stderr).toBe(0);
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const latest = await registry.getLatestDocument(`${topics.source}-value`);
    expect(latest?.document).toEqual({ format: 'json', schema: orderSchema });
    expect(produced.stderr).toBe(`produced ${good.length} records to ${topics.source} (schema id ${latest?.id}: file schemas/order.schema.json, registered under ${topics.source}-value)\n`);

    const bad = await SluiceChild.run(['produce', topics.source], { cwd: project.dir, env, input: `${JSON.stringify(refused[0]!.value)}\n` });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 1: does not fit the schema: value does not match the JSON Schema');
    expect(bad.stderr).toContain('amount: must be >= 0');
  });

  it('valid events are aggregated; values the schema refuses are dead-lettered invalid naming the path, non-JSON bodies corrupt', async () => {
    const id = (await new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }).getLatestDocument(`${topics.source}-value`))!.id;
    const frame = (body: string): Buffer => {
      const text = Buffer.from(body, 'utf8');
      const out = Buffer.alloc(5 + text.length);
      out.writeInt32BE(id, 1);
      text.copy(out, 5);
      return out;
    };
    const producer = await RecordProducer.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await producer.produceAll([
        ...refused.map((r) => ({ topic: topics.source, key: Buffer.from('eve'), value: frame(JSON.stringify(r.value)) })),
        ...NOT_JSON.map((body) => ({ topic: topics.source, key: Buffer.from('eve'), value: frame(body) })),
      ]);
    } finally {
      await producer.close();
    }

    const child = new SluiceProcess(['run', name], { cwd: project.dir, env });
    const reader = await PartitionReader.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await child.waitForLog('partitions assigned', 90_000);
      const counts = await admin.partitionCounts([topics.source, `${name}.by-customer-repartition`]);
      const inputs: TopicPartition[] = [...counts].flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => ({ topic, partition })));
      const alive = (): void => {
        if (child.child.exitCode !== null) throw new Error(`sluice run exited with ${child.child.exitCode}:\n${child.tail()}`);
      };
      await awaitQuiescence({ admin, reader, groupId: name, inputs, alive, lastRecords: new Map() }, 120_000);
    } finally {
      await reader.close();
      await stopChild(child);
    }

    const dlqPartitions = (await admin.partitionCounts([topics.dlq])).get(topics.dlq) ?? 0;
    const dead = await readTopic(stack.kafkaBootstrapServers, topics.dlq, dlqPartitions);
    const invalid = dead.filter((m) => header(m, 'sluice.error.reason') === 'invalid');
    const corrupt = dead.filter((m) => header(m, 'sluice.error.reason') === 'corrupt');
    expect(dead.length).toBe(refused.length + NOT_JSON.length);
    expect(corrupt.length).toBe(NOT_JSON.length);
    // Each refused value comes back with its own bytes and a message naming its path.
    const byBody = new Map(invalid.map((m) => [m.value!.subarray(5).toString('utf8'), header(m, 'sluice.error.message') ?? '']));
    for (const r of refused) expect(byBody.get(JSON.stringify(r.value)), JSON.stringify(r.value)).toMatch(new RegExp(`\\b${r.path}: must`));

    const oracle = new Map<string, { orders: number; amount: number }>();
    for (const o of good) {
      const id = `${o.customer}@${Math.floor(o.at / 60_000) * 60_000}`;
      const row = oracle.get(id) ?? { orders: 0, amount: 0 };
      row.orders += 1;
      row.amount += o.amount;
      oracle.set(id, row);
    }
    const tablePartitions = (await admin.partitionCounts([topics.table])).get(topics.table) ?? 0;
    const table = await readTable<{ customer: string; window_start: number }, { orders: number; amount: number }>(
      stack.kafkaBootstrapServers, stack.schemaRegistryUrl, topics.table, tablePartitions,
    );
    const rows = new Map([...table.values()].map(({ key, value }) => [`${key.customer}@${key.window_start}`, value]));
    expect([...rows.keys()].sort()).toEqual([...oracle.keys()].sort());
    for (const [id, row] of oracle) {
      expect(rows.get(id)?.orders, id).toBe(row.orders);
      expect(rows.get(id)?.amount, id).toBeCloseTo(row.amount, 6);
    }
  });
});
