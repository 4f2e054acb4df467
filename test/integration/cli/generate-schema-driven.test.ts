import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry as ConfluentRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { take, type GeneratedRecord } from '../../../src/cli/generators/event-generator.js';
import { resolveWorkload } from '../../../src/cli/generators/resolve-workload.js';
import { main } from '../../../src/cli/main.js';
import { KafkaAdmin, PartitionReader, type TopicPartition } from '../../../src/kafka/index.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { awaitQuiescence } from '../../support/await-quiescence.js';
import { readTable, readTopic } from '../../support/kafka-test-kit.js';
import { PARKING_SCHEMA, writeParkingProject } from '../../support/parking-project.js';
import { repoRoot } from '../../support/repo-examples.js';
import { SluiceProcess } from '../../support/sluice-process.js';
import { header, stopChild } from '../../support/topology-e2e.js';

// Issue 18 on the real stack: `sluice generate` for a topology a user added (no hand-written
// workload) produces records of its schema; an outside decoder reads every one of them back, and
// `sluice run` of that topology dead-letters exactly the records the generator labelled invalid
// or late and counts the others per lot and minute.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const name = `parking-${run}`;
const topics = { source: `parking-${run}.events`, dlq: `parking-${run}.events.dlq`, table: `parking-${run}.occupancy.1m` };
const dir = join(repoRoot, '.sluice', 'tmp', `generate-${run}`);
const COUNT = 3_000;
const SEED = Number(process.env.SLUICE_TEST_SEED ?? 20261206);
// Ten minutes back (not days: a broker deletes records older than its retention at once), on a whole second.
const START_MS = Math.floor((Date.now() - 600_000) / 1000) * 1000;
const ARGS = ['generate', name, '--count', String(COUNT), '--seed', String(SEED), '--invalid-ratio', '0.05', '--late-ratio', '0.03', '--start', new Date(START_MS).toISOString()];
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });

let expected: GeneratedRecord<Record<string, unknown>>[];
let printed: { code: number; stdout: string; stderr: string };

/** `sluice generate …` in-process, in the project, against the suite's stack. */
async function generate(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { kafka: process.env.KAFKA_BOOTSTRAP_SERVERS, registry: process.env.SCHEMA_REGISTRY_URL };
  process.env.KAFKA_BOOTSTRAP_SERVERS = stack.kafkaBootstrapServers;
  process.env.SCHEMA_REGISTRY_URL = stack.schemaRegistryUrl;
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  try {
    return { code: await main(['node', 'sluice', ...args], dir), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [key, value] of [['KAFKA_BOOTSTRAP_SERVERS', saved.kafka], ['SCHEMA_REGISTRY_URL', saved.registry]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

beforeAll(async () => {
  writeParkingProject(dir, name, topics);
  printed = await generate(ARGS);
  // The same records again, in-process: the seed and the start make them.
  const resolved = await resolveWorkload(name, { projectDir: dir, registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }) });
  expected = take(resolved.workload.records({ seed: SEED, startMs: START_MS, eventsPerSecond: 20, invalidRatio: 0.05, lateRatio: 0.03 }), COUNT) as GeneratedRecord<Record<string, unknown>>[];
}, 120_000);

afterAll(async () => {
  await admin.deleteGroups([name]).catch(() => {});
  await admin.deleteTopics([topics.source, topics.dlq, topics.table, `${name}.by-lot-repartition`]).catch(() => {});
  admin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sluice generate for a user topology, on the real stack', () => {
  it('says what it does, and produces every record of the schema, which an outside decoder reads back', async () => {
    expect(printed.code, printed.stderr).toBe(0);
    const invalid = expected.filter((r) => r.kind === 'invalid').length;
    const late = expected.filter((r) => r.kind === 'late').length;
    expect(invalid).toBeGreaterThan(100);
    expect(late).toBeGreaterThan(50);
    expect(printed.stderr).toContain(`generating ${name} → ${topics.source} (3 partitions): ${COUNT} records`);
    expect(printed.stderr).toContain(`no hand-written generator for ${name}: records come from its source schemas`);
    expect(printed.stderr).toContain('Kafka key: lot_id');
    expect(printed.stdout).toContain(`${name}: ${COUNT}/${COUNT} records (${invalid} invalid, ${late} late)`);

    const latest = await new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }).getLatest(`${topics.source}-value`);
    expect(latest?.schema).toEqual(PARKING_SCHEMA);
    const messages = await readTopic(stack.kafkaBootstrapServers, topics.source, 3);
    expect(messages.length).toBe(COUNT);
    // KafkaJS's Confluent client and avsc with its defaults: nothing of Sluice's decoding.
    const confluent = new ConfluentRegistry({ host: stack.schemaRegistryUrl });
    const plainAvsc = avro.Type.forSchema(PARKING_SCHEMA as avro.Schema);
    const seen: string[] = [];
    for (const message of messages) {
      const value = (await confluent.decode(message.value!)) as Record<string, unknown>;
      expect(plainAvsc.isValid(value), JSON.stringify(value)).toBe(true);
      expect(message.key!.toString()).toBe(value.lot_id);
      expect(Number(message.timestamp)).toBe(value.timestamp);
      seen.push(JSON.stringify([value.lot_id, value.bay, value.sensor_id, value.timestamp]));
    }
    const made = expected.map((r) => JSON.stringify([r.value.lot_id, r.value.bay, r.value.sensor_id, r.value.timestamp]));
    expect(seen.sort()).toEqual(made.sort());
  });

  it('sluice run of the topology dead-letters exactly the invalid and late records and counts the rest per lot and minute', async () => {
    const env = { ...process.env, KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, SLUICE_METRICS_PORT: '0' };
    const child = new SluiceProcess(['run', name], { cwd: dir, env });
    const reader = await PartitionReader.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await child.waitForLog('partitions assigned', 90_000);
      const repartition = `${name}.by-lot-repartition`;
      const counts = await admin.partitionCounts([topics.source, repartition]);
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
    const reasons = dead.map((m) => header(m, 'sluice.error.reason'));
    expect(reasons.filter((r) => r !== 'invalid' && r !== 'late')).toEqual([]);
    expect(dead.filter((m) => header(m, 'sluice.error.reason') === 'invalid').map((m) => header(m, 'sluice.error.message')).sort()).toEqual(
      expected.filter((r) => r.kind === 'invalid').map((r) => r.reason).sort(),
    );
    expect(reasons.filter((r) => r === 'late').length).toBe(expected.filter((r) => r.kind === 'late').length);

    const perMinute = new Map<string, number>();
    for (const r of expected.filter((x) => x.kind === 'valid')) {
      const id = `${String(r.value.lot_id)}@${Math.floor((r.value.timestamp as number) / 60_000) * 60_000}`;
      perMinute.set(id, (perMinute.get(id) ?? 0) + 1);
    }
    const tablePartitions = (await admin.partitionCounts([topics.table])).get(topics.table) ?? 0;
    const table = await readTable<{ lot_id: string; window_start: number }, { events: number }>(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, topics.table, tablePartitions);
    expect(new Map([...table.values()].map(({ key, value }) => [`${key.lot_id}@${key.window_start}`, value.events]))).toEqual(perMinute);
  });
});
