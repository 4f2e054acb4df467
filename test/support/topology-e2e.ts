import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { TopologyCatalog } from '../../src/cli/topology-catalog.js';
import { KafkaAdmin } from '../../src/kafka/kafka-admin.js';
import type { KafkaMessage } from '../../src/kafka/index.js';
import { eventually, readTopic } from './kafka-test-kit.js';
import { examplesOnlyDir } from './repo-examples.js';
import { afterAll, beforeAll } from 'vitest';
import { stackEnv } from './bus-topology-file.js';
import { SluiceProcess } from './sluice-process.js';

const run = promisify(execFile);
export const repoRoot = new URL('../..', import.meta.url).pathname;
const bin = join(repoRoot, 'bin', 'sluice.js');

/** Every topic (source, internal, outputs, DLQs) and consumer group of the named topologies, from their plans. */
export async function topologyFootprint(names: readonly string[]): Promise<{ topics: string[]; groups: string[] }> {
  const catalog = new TopologyCatalog(repoRoot);
  const topics = new Set<string>();
  const groups = new Set<string>();
  for (const name of names) {
    const plan = await catalog.plan(name);
    for (const t of plan.topics) topics.add(t.name);
    groups.add(plan.applicationId);
    for (const s of plan.sinks) {
      groups.add(`${plan.applicationId}.${s.name}`);
      topics.add(`${plan.applicationId}.${s.name}.dlq`);
    }
  }
  return { topics: [...topics], groups: [...groups] };
}

/** Deletes the topologies' topics and consumer groups and waits until the broker no longer lists the topics. */
export async function resetKafka(bootstrapServers: string, names: readonly string[]): Promise<void> {
  const { topics, groups } = await topologyFootprint(names);
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrapServers });
  try {
    await admin.deleteGroups(groups);
    await admin.deleteTopics(topics);
    const left = await eventually(async () => {
      const still = [...(await admin.partitionCounts(topics)).keys()];
      return still.length === 0 ? undefined : `still listed: ${still.join(', ')}`;
    }, 60_000, 500);
    if (left !== undefined) throw new Error(`topics not deleted within 60 s: ${left}`);
  } finally {
    admin.close();
  }
}

/** A fresh database on the stack's PostgreSQL server; `url` goes to the child as DATABASE_URL. */
export async function freshDatabase(serverUrl: string, prefix = 'sluice_e2e'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  url.search = '';
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** `sluice generate <name> … --oracle file`: produces the records and returns the generator's oracle. */
export async function generateWithOracle<O>(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<O> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-oracle-'));
  const file = join(dir, 'oracle.json');
  try {
    await run(process.execPath, [bin, 'generate', name, ...args, '--oracle', file], { cwd: repoRoot, env, timeout: 120_000 });
    return JSON.parse(readFileSync(file, 'utf8')) as O;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A header of a Kafka message as a string. */
export function header(message: KafkaMessage, name: string): string | undefined {
  for (const h of message.headers ?? []) {
    const v = (h as Record<string, string | Buffer>)[name];
    if (v !== undefined) return v.toString();
  }
  return undefined;
}

/** Compares numbers with a tolerance. */
export function close(a: number, b: number, epsilon = 1e-6): boolean {
  return Math.abs(a - b) <= epsilon * Math.max(1, Math.abs(a), Math.abs(b));
}

/** A dead-letter topic, summarised: counts per reason and the sorted `invalid` messages. */
export interface DeadLetterSummary {
  total: number;
  invalid: number;
  late: number;
  other: string[];
  messages: string[];
}

/** Reads a dead-letter topic (all partitions) and summarises it; an absent topic reads as empty. */
export async function readDeadLetters(bootstrapServers: string, topic: string): Promise<DeadLetterSummary> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrapServers });
  let partitions: number;
  try {
    partitions = (await admin.partitionCounts([topic])).get(topic) ?? 0;
  } finally {
    admin.close();
  }
  const summary: DeadLetterSummary = { total: 0, invalid: 0, late: 0, other: [], messages: [] };
  if (partitions === 0) return summary;
  for (const m of await readTopic(bootstrapServers, topic, partitions)) {
    summary.total += 1;
    const reason = header(m, 'sluice.error.reason');
    if (reason === 'invalid') {
      summary.invalid += 1;
      summary.messages.push(header(m, 'sluice.error.message') ?? '');
    } else if (reason === 'late') summary.late += 1;
    else summary.other.push(String(reason));
  }
  summary.messages.sort();
  summary.other.sort();
  return summary;
}

/** Stops a child with SIGTERM (SIGKILL after 20 s). */
export async function stopChild(child: SluiceProcess | undefined): Promise<void> {
  if (!child) return;
  if (child.child.exitCode === null && child.child.signalCode === null) child.kill('SIGTERM');
  await Promise.race([child.exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (child.child.exitCode === null && child.child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Produces generated records in-process, exactly as `sluice generate` encodes them (Confluent wire
 * format under `<topic>-value`, the record timestamp set to the event time), into topics the caller
 * created; returns once every record is acknowledged.
 */
export async function produceGenerated(
  stack: { kafkaBootstrapServers: string; schemaRegistryUrl: string },
  topics: readonly { name: string; schema: string }[],
  records: readonly { topic: string; key: string; value: unknown }[],
): Promise<void> {
  const { loadSchemas, AvroCodec, HttpSchemaRegistry, subjectFor } = await import('../../src/serde/index.js');
  const { RecordProducer } = await import('../../src/kafka/index.js');
  const schemas = new Map((await loadSchemas(examplesOnlyDir('schemas'))).map((s) => [s.name, s.schema]));
  const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
  const codecs = new Map<string, InstanceType<typeof AvroCodec<unknown>>>();
  for (const t of topics) {
    const codec = new AvroCodec<unknown>({ registry, subject: subjectFor(t.name, 'value'), readerSchema: schemas.get(t.schema)! });
    await codec.registerWriter();
    codecs.set(t.name, codec);
  }
  const producer = await RecordProducer.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  try {
    for (let i = 0; i < records.length; i += 1_000) {
      await producer.produceAll(
        records.slice(i, i + 1_000).map((r) => {
          const eventTime = (r.value as { timestamp?: unknown }).timestamp;
          return { topic: r.topic, key: Buffer.from(r.key), value: codecs.get(r.topic)!.encode(r.value), ...(typeof eventTime === 'number' ? { timestamp: eventTime } : {}) };
        }),
      );
    }
  } finally {
    await producer.close();
  }
}

/** What {@link useTopologyRun} set up, filled in by its `beforeAll`. */
export interface TopologyRun<O> {
  oracle: O;
  db: pg.Client;
  child: SluiceProcess;
  env: NodeJS.ProcessEnv;
}

/**
 * The set-up every end-to-end topology test shares: clean Kafka footprint, a
 * fresh database, the input produced (its oracle returned by `produce`),
 * `sluice run <topologies>` started against that database, a client on it —
 * and everything stopped and dropped afterwards.
 */
export function useTopologyRun<O>(
  stack: { kafkaBootstrapServers: string; schemaRegistryUrl: string; databaseUrl: string },
  topologies: readonly string[],
  produce: (env: NodeJS.ProcessEnv) => Promise<O>,
): TopologyRun<O> {
  const run = {} as TopologyRun<O>;
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  beforeAll(async () => {
    await resetKafka(stack.kafkaBootstrapServers, topologies);
    database = await freshDatabase(stack.databaseUrl);
    run.env = { ...stackEnv({ ...stack, databaseUrl: database.url }), SLUICE_METRICS_PORT: '0' };
    run.oracle = await produce(run.env);
    run.child = new SluiceProcess(['run', ...topologies], { cwd: repoRoot, env: run.env });
    await run.child.waitForLog('partitions assigned', 90_000);
    run.db = new pg.Client({ connectionString: database.url });
    await run.db.connect();
  });
  afterAll(async () => {
    await stopChild(run.child);
    await run.db?.end();
    await database?.drop();
  });
  return run;
}
