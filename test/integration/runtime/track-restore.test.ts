import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { plan, topology } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport } from '../../../src/kafka/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { HttpSchemaRegistry, type AvroRecordSchema } from '../../../src/serde/index.js';
import { eventually, produceAvro, readTable, readTopic } from '../../support/kafka-test-kit.js';
import { advanceStep, initialStepState, stepSchema, stepStateSchema, type Step, type StepState } from '../../support/step-lifecycle.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin(bootstrap);
const quiet: RuntimeLog = (level, message, fields) => {
  if (level === 'error') console.error(message, fields);
};

const source = `steps.${run}`;
const table = `steps.${run}.state`;
const lifecycle = topology(`track-${run}`)
  .source<Step>(source, { schema: stepSchema, eventTime: 'at' })
  .deadLetter(`${source}.dlq`)
  .groupByKey('by-id', { as: 'id' })
  .track<StepState>('lifecycle', {
    schema: stepStateSchema,
    initial: initialStepState,
    update: advanceStep,
  })
  .toTable(table);

/** Runs the topology until `done` holds, then stops it (leaving the group, committing what it did). */
async function runUntil(done: () => Promise<string | undefined>): Promise<void> {
  const transport = kafkaStreamTransport(bootstrap);
  const runner = new TopologyRunner({ plan: plan(lifecycle), transport, registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }), resolveSchema: (ref) => ref as AvroRecordSchema, log: quiet, instanceId: 'track-test' });
  await runner.start();
  const stop = new AbortController();
  const running = runner.run(stop.signal);
  try {
    expect(await eventually(done, 90_000, 1_000)).toBeUndefined();
  } finally {
    stop.abort();
    await running;
    await transport.close();
  }
}

const ids = Array.from({ length: 30 }, (_, i) => `order-${i}`);
const send = (records: readonly Step[]) => produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, stepSchema, records.map((value) => ({ key: value.id, value })));
async function states(): Promise<Map<string, string>> {
  const rows = await readTable<{ id: string }, StepState>(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, table, 3);
  return new Map([...rows.values()].map(({ key, value }) => [key.id, `${value.status}/${value.steps}`]));
}

afterAll(() => admin.close());

describe('track on the Kafka runtime', () => {
  it('a restarted topology restores each key state from the table topic and goes on from it (no state lost, none applied twice)', async () => {
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    // Phase 1: every id NEW, the first half also OPEN.
    await send([...ids.map((id) => ({ id, status: 'NEW', at: 1 })), ...ids.slice(0, 15).map((id) => ({ id, status: 'OPEN', at: 2 }))]);
    await runUntil(async () => {
      const s = await states();
      const open = [...s.values()].filter((v) => v === 'OPEN/2').length;
      return s.size === 30 && open === 15 ? undefined : `${s.size} states, ${open} OPEN`;
    });

    // Phase 2, on a new runner: DONE is valid only where the restored state is OPEN; without
    // the restore every DONE would be a skip from NONE.
    await send(ids.map((id) => ({ id, status: 'DONE', at: 3 })));
    const dlq = `${source}.dlq`;
    await runUntil(async () => {
      const letters = await readTopic(stack.kafkaBootstrapServers, dlq, 1).catch(() => []);
      return letters.length >= 15 ? undefined : `${letters.length} dead letters`;
    });
    const final = await states();
    expect([...final.entries()].sort()).toEqual(ids.map((id, i) => [id, i < 15 ? 'DONE/3' : 'NEW/1']).sort());
    const letters = await readTopic(stack.kafkaBootstrapServers, dlq, 1);
    const headers = letters.map((m) => Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>);
    expect(headers.map((h) => [h['sluice.error.reason']?.toString(), h['sluice.error.message']?.toString()])).toEqual(ids.slice(15).map(() => ['rejected', 'NEW → DONE']));
  });
});
