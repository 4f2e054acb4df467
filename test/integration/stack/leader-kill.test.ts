import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, RecordProducer } from '../../../src/kafka/index.js';
import { describeTopicConfigs } from '../../../src/kafka/describe-topic-configs.js';
import { AdminClient, type TopicDescription } from '../../../src/kafka/rdkafka.js';
import { AvroCodec, HttpSchemaRegistry } from '../../../src/serde/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, type BusEvent } from '../../support/bus-workload.js';
import { busTopologyFile } from '../../support/bus-topology-file.js';
import { eventually, readTable, readTopic } from '../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

/**
 * Issue 17's cluster profile: `sluice stack up --brokers 3` on ports of its own, a windowed topology
 * (`sluice run`, as a user runs it) fed live, and kill -9 of the broker that leads one of its input
 * partitions mid-stream; the broker comes back later (`stack up` again). The table must equal the
 * oracle — 0 lost, 0 duplicated — the DLQ must hold exactly the invalid records, and the same run
 * must carry on through the outage, committing while the broker is down.
 *
 * Three more JVMs beside the suite's stack on a 2-core machine are too heavy for every CI run, so it
 * runs only with SLUICE_TEST_CLUSTER=1 (see the README): about 2–3 minutes.
 */
const enabled = process.env.SLUICE_TEST_CLUSTER === '1';
const BROKERS = 3;
const PARTITIONS = 3;
/** Node i listens on this + 2(i-1), its controller on this + 1 + 2(i-1): 26092..26097 by default — below Linux's ephemeral range (32768-60999), where a client reconnecting to the killed broker can take its port (a TCP self-connection) and keep it from restarting. */
const BASE_PORT = Number(process.env.SLUICE_TEST_CLUSTER_PORT || 26092);
const EVENTS = 60_000;
const CHUNK = 500;
/** Between chunks: ~2,000 events/s for ~30 s, so the kill and the restart both land mid-stream. */
const CHUNK_PAUSE_MS = 250;

const run = promisify(execFile);
const sluice = new URL('../../../bin/sluice.js', import.meta.url).pathname;

describe.skipIf(!enabled)('a 3-broker cluster: kill -9 of an input partition leader mid-stream', () => {
  const stack = inject('stack');
  const stackDir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  // The cluster's own project directory, ports and state; the registry and PostgreSQL are the suite's.
  const stackCliEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SLUICE_STACK: 'native',
    SLUICE_STACK_KAFKA_PORT: String(BASE_PORT),
    SLUICE_STACK_CONTROLLER_PORT: String(BASE_PORT + 1),
    SLUICE_STACK_BROKERS: '',
    KAFKA_BOOTSTRAP_SERVERS: '',
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: stack.databaseUrl,
  };
  const cleanups: (() => Promise<void> | void)[] = [];

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [sluice, ...args], { cwd: stackDir, env: stackCliEnv, timeout: 300_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  let passed = false;

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    const down = await cli('stack', 'down');
    console.info(`cluster: ${down.stdout.trim()}`);
    // The brokers' logs stay for a failure's post-mortem.
    if (passed) rmSync(stackDir, { recursive: true, force: true });
    else console.info(`cluster test failed: the brokers' logs are in ${stackDir}/.sluice/kafka-cluster-${BROKERS}/`);
  }, 180_000);

  it('the table equals the oracle, the DLQ holds exactly the invalid records, and the run carries on through the outage', async () => {
    const started = Date.now();
    const timeline: string[] = [];
    const at = (what: string): void => {
      const line = `${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`;
      timeline.push(line);
      console.info(`cluster test ${line}`);
    };

    // 1. The cluster, through the CLI a user types.
    const up = await cli('stack', 'up', '--brokers', String(BROKERS));
    expect(up.code, up.stderr).toBe(0);
    const bootstrap = /^KAFKA_BOOTSTRAP_SERVERS=(.+)$/m.exec(up.stdout)?.[1] ?? '';
    expect(bootstrap).toBe([0, 2, 4].map((d) => `127.0.0.1:${BASE_PORT + d}`).join(','));
    at(`stack up --brokers ${BROKERS}: ${bootstrap}`);
    const status = await cli('stack', 'status');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    for (let id = 1; id <= BROKERS; id++) expect(status.stdout).toMatch(new RegExp(`kafka-${id} +up +native +127\\.0\\.0\\.1:${BASE_PORT + 2 * (id - 1)} +pid \\d+`));

    const props = { 'bootstrap.servers': bootstrap };
    const admin = new KafkaAdmin(props, { timeoutMs: 60_000 });
    cleanups.push(() => admin.close());
    // A fresh client per look: what the test sees must not depend on a client's cached metadata.
    const describe = (topics: string[]): Promise<TopicDescription[]> => {
      const describer = AdminClient.create({ ...props, log_level: 0 });
      return new Promise<TopicDescription[]>((resolve, reject) =>
        describer.describeTopics(topics, { timeout: 10_000 }, (error, result) => (error ? reject(error) : resolve(result))),
      ).finally(() => describer.disconnect());
    };

    // 2. A source topic created by Sluice's admin, as `sluice generate` creates one: RF 3, min ISR 2.
    const id = randomUUID().slice(0, 8);
    const name = `cluster-${id}`;
    const source = `cluster.${id}`;
    await admin.ensureTopics([{ name: source, partitions: PARTITIONS }]);
    const [sourceDescription] = await describe([source]);
    expect(sourceDescription!.partitions.map((p) => p.replicas.length)).toEqual([BROKERS, BROKERS, BROKERS]);
    expect((await describeTopicConfigs(props, [source], ['min.insync.replicas']))?.get(source)?.get('min.insync.replicas')).toBe('2');

    const project = fixtureProject(name, { [`topologies/${name}.ts`]: busTopologyFile(name, source) });
    cleanups.push(() => project.remove());
    const runEnv = { ...process.env, KAFKA_BOOTSTRAP_SERVERS: bootstrap, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: stack.databaseUrl };
    const runner = new SluiceProcess(['run', name], { cwd: project.dir, env: runEnv });
    cleanups.push(async () => {
      if (runner.child.exitCode === null && runner.child.signalCode === null) {
        runner.kill('SIGKILL');
        await runner.exited;
      }
    });
    await runner.waitForLog('partitions assigned', 90_000);
    at('sluice run joined its group');

    // 3. Live production through the whole outage.
    const input = busWorkload({ count: EVENTS, routes: 60, seed: 17, stepMs: 50, invalidEvery: 100 });
    const oracle = busOracle(input);
    const codec = new AvroCodec<BusEvent>({ registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }), subject: `${source}-value`, readerSchema: busEventSchema });
    await codec.registerWriter();
    const producer = await RecordProducer.connect(props);
    cleanups.push(() => producer.close());
    let produced = 0;
    const production = (async () => {
      for (let i = 0; i < input.length; i += CHUNK) {
        await producer.produceAll(input.slice(i, i + CHUNK).map((r) => ({ topic: source, key: Buffer.from(r.key), value: codec.encode(r.value) })));
        produced = Math.min(input.length, i + CHUNK);
        await sleep(CHUNK_PAUSE_MS);
      }
    })();
    production.catch(() => {});

    const inputs = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: source, partition }));
    const committed = async (): Promise<bigint> => [...(await admin.committedOffsets(name, inputs)).values()].reduce((a, b) => a + b, 0n);
    const working = await eventually(async () => ((await committed()) > 2_000n ? undefined : `committed ${await committed()}`), 90_000, 250);
    expect(working, runner.tail()).toBeUndefined();

    // 4. kill -9 of the broker leading input partition 0.
    const [before] = await describe([source]);
    const leader = before!.partitions.find((p) => p.partition === 0)!.leader!.id;
    const pidFile = join(stackDir, '.sluice', `kafka-cluster-${BROKERS}`, `broker-${leader}`, 'kafka.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const committedAtKill = await committed();
    process.kill(pid, 'SIGKILL');
    at(`kill -9 of broker ${leader} (pid ${pid}), leader of ${source}[0]; ${produced} of ${EVENTS} produced, ${committedAtKill} committed`);

    // While it is down: partition 0 gets a new leader, the ISR shrinks to 2 (min ISR 2 keeps writes
    // going), and the same run commits more input.
    const failedOver = await eventually(async () => {
      const [now] = await describe([source]);
      const p0 = now!.partitions.find((p) => p.partition === 0)!;
      return p0.leader && p0.leader.id !== leader && p0.isr.length === BROKERS - 1 ? undefined : `leader ${p0.leader?.id}, isr ${p0.isr.map((n) => n.id).join(',')}`;
    }, 60_000, 250);
    expect(failedOver).toBeUndefined();
    at('partition 0 has a new leader and an ISR of 2');
    const progressed = await eventually(async () => {
      const now = await committed();
      return now > committedAtKill + 5_000n ? undefined : `committed ${now}, ${committedAtKill} at the kill`;
    }, 90_000, 250);
    expect(progressed, runner.tail()).toBeUndefined();
    const committedWhileDown = await committed();
    at(`${committedWhileDown - committedAtKill} more records committed with broker ${leader} down; ${produced} produced`);
    expect(runner.child.exitCode, 'the run carries on while a broker is down').toBeNull();
    await sleep(5_000);

    // 5. The broker comes back: `stack up` again starts the node that is down and reuses the others.
    const again = await cli('stack', 'up', '--brokers', String(BROKERS));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`started node(s) ${leader} again`);
    at(`broker ${leader} restarted; ${produced} produced`);
    const rejoined = await eventually(async () => {
      const [now] = await describe([source]);
      const short = now!.partitions.filter((p) => p.isr.length < BROKERS);
      return short.length === 0 ? undefined : `partitions ${short.map((p) => p.partition).join(',')} not fully in sync`;
    }, 120_000, 500);
    expect(rejoined).toBeUndefined();
    at('every source partition has an ISR of 3 again');

    await production;
    at(`all ${EVENTS} events produced`);

    // 6. The same run catches up; the table equals the oracle, the DLQ holds each invalid record once.
    const mismatch = await eventually(async () => compareRouteTable(await readTable(bootstrap, stack.schemaRegistryUrl, `${source}.stats`, PARTITIONS), oracle), 180_000, 2_000);
    at('the table equals the oracle');
    expect(mismatch, `${runner.tail()}\n${timeline.join('\n')}`).toBeUndefined();
    const dlq = await readTopic(bootstrap, `${source}.dlq`, 1);
    const invalid = input.filter((r) => r.invalid).length;
    expect(dlq).toHaveLength(invalid);
    const dlqSources = new Set(
      dlq.map((m) => {
        const headers = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>;
        return `${headers['sluice.source.partition']}:${headers['sluice.source.offset']}`;
      }),
    );
    expect(dlqSources.size, 'no DLQ record twice').toBe(invalid);
    expect(runner.child.exitCode, 'one run from start to end').toBeNull();

    // 7. Every topic here is replicated 3 times with min ISR 2: Sluice's own and the cluster's internal ones.
    const topics = [source, `${source}.dlq`, `${source}.stats`, `${name}.by-route-repartition`, '__consumer_offsets', '__transaction_state'];
    for (const description of await describe(topics)) {
      expect(description.error, description.name).toBeUndefined();
      expect(new Set(description.partitions.map((p) => p.replicas.length)), description.name).toEqual(new Set([BROKERS]));
    }
    const configs = await describeTopicConfigs(props, topics, ['min.insync.replicas']);
    expect(Object.fromEntries(topics.map((t) => [t, configs?.get(t)?.get('min.insync.replicas')]))).toEqual(Object.fromEntries(topics.map((t) => [t, '2'])));

    runner.kill('SIGTERM');
    expect((await runner.exited).code, runner.tail()).toBe(0);
    at('sluice run stopped cleanly');
    await admin.deleteTopics(topics.slice(0, 4)).catch(() => {});
    passed = true;
  }, 600_000);
});
