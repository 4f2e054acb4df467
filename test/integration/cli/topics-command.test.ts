import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { clusterBrokers, KafkaAdmin, RecordProducer } from '../../../src/kafka/index.js';
import { describeTopicConfigs } from '../../../src/kafka/describe-topic-configs.js';
import { CliProject } from '../../support/cli-project.js';
import { SluiceChild } from '../../support/sluice-child.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const project = new CliProject(`topics-${run}`);
const env = { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };
const props = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const sluice = (...args: string[]) => SluiceChild.run(args, { cwd: project.dir, env });
const table = `topics-${run}.state`;
const plain = `topics-${run}.events`;

afterAll(async () => {
  project.cleanup();
  const admin = new KafkaAdmin(props);
  await admin.deleteTopics([table, plain]).catch(() => undefined);
  admin.close();
});

describe('sluice topics', () => {
  it('creates a compacted topic with its partitions, configs and the default replication, describes it with its offsets, and refuses to create it twice', async () => {
    const brokers = (await clusterBrokers(props)).length;
    const created = await sluice('topics', 'create', table, '--partitions', '3', '--compact', '--config', 'retention.ms=3600000', '--config', 'segment.bytes=1048576');
    expect(created.code, created.stderr).toBe(0);
    const factor = Math.min(3, brokers);
    const minIsr = factor >= 3 ? ', min.insync.replicas=2' : '';
    expect(created.stdout).toBe(`created topic ${table}: 3 partitions, replication factor ${factor}${minIsr}, retention.ms=3600000, segment.bytes=1048576, cleanup.policy=compact\n`);

    // What the broker holds, read by other means than the command's.
    const admin = new KafkaAdmin(props);
    try {
      expect((await admin.partitionCounts([table])).get(table)).toBe(3);
    } finally {
      admin.close();
    }
    const configs = (await describeTopicConfigs(props, [table], ['cleanup.policy', 'retention.ms', 'segment.bytes']))?.get(table);
    expect(Object.fromEntries(configs ?? [])).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '3600000', 'segment.bytes': '1048576' });

    // Five keyed records into partition 1, two into 2: the end offsets describe must show.
    const producer = await RecordProducer.connect(props);
    try {
      await producer.produceAll([
        ...Array.from({ length: 5 }, (_, i) => ({ topic: table, partition: 1, key: Buffer.from(`k${i}`), value: Buffer.from('v') })),
        ...Array.from({ length: 2 }, (_, i) => ({ topic: table, partition: 2, key: Buffer.from(`j${i}`), value: Buffer.from('v') })),
      ]);
    } finally {
      await producer.close();
    }
    const json = await sluice('topics', 'describe', table, '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const described = JSON.parse(json.stdout) as { topic: string; partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; startOffset: number; endOffset: number }[]; replicationFactor: number; cleanupPolicy: string; configs: Record<string, string> };
    expect(described.topic).toBe(table);
    expect(described.partitions.map((p) => [p.partition, p.startOffset, p.endOffset])).toEqual([[0, 0, 0], [1, 0, 5], [2, 0, 2]]);
    for (const p of described.partitions) {
      expect(p.replicas).toHaveLength(factor);
      expect(p.replicas).toContain(p.leader);
      expect(new Set(p.isr)).toEqual(new Set(p.replicas));
    }
    expect(described.cleanupPolicy).toBe('compact');
    expect(described.configs).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '3600000', 'segment.bytes': '1048576' });
    expect(described.configs['max.message.bytes'], 'defaults are not listed as the topic’s own').toBeUndefined();

    const text = await sluice('topics', 'describe', table);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`topic ${table}: 3 partitions, replication factor ${factor}`);
    expect(lines[1]).toMatch(/^configs: .*cleanup\.policy=compact/);
    expect(lines[1]).toContain('retention.ms=3600000');
    expect(lines[2]!.split(/\s+/)).toEqual(['partition', 'leader', 'replicas', 'isr', 'start', 'end']);
    expect(lines.slice(3).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).at(-1)])).toEqual([['0', '0'], ['1', '5'], ['2', '2']]);

    const again = await sluice('topics', 'create', table, '--partitions', '3');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `sluice: topic ${table} exists already (3 partitions); pass --if-not-exists to accept it as it is, or delete it first (sluice topics delete ${table} --yes)\n`,
    );
    const tolerated = await sluice('topics', 'create', table, '--partitions', '6', '--if-not-exists');
    expect(tolerated.code, tolerated.stderr).toBe(0);
    expect(tolerated.stdout).toBe(`topic ${table} exists already with 3 partitions (not 6 as asked); left as it is\n`);
  });

  it('lists topics without the internal ones unless --all; a plain topic shows its default cleanup policy', async () => {
    const created = await sluice('topics', 'create', plain, '--partitions', '2');
    expect(created.code, created.stderr).toBe(0);
    const [list, all, text] = await Promise.all([sluice('topics', 'list'), sluice('topics', 'list', '--all'), sluice('topics', 'describe', plain)]);
    expect(list.code, list.stderr).toBe(0);
    const names = list.stdout.trimEnd().split('\n');
    expect(names).toContain(plain);
    expect(names).toEqual([...names].sort());
    expect(names.filter((n) => n.startsWith('__'))).toEqual([]);
    expect(all.stdout.split('\n')).toContain('__consumer_offsets');
    expect(text.stdout.split('\n')[1]).toMatch(/^configs: cleanup\.policy=delete \(default\)/);
  });

  it('deletes only with --yes where no one can confirm; a missing topic is an error for describe and delete', async () => {
    const refused = await sluice('topics', 'delete', plain);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`sluice: not deleting topic ${plain}: this shell is not interactive, so no one can confirm; pass --yes to delete it and every record in it\n`);
    expect((await sluice('topics', 'list')).stdout.split('\n')).toContain(plain);

    const deleted = await sluice('topics', 'delete', plain, '--yes');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`deleted topic ${plain}\n`);
    const [list, describe, again] = await Promise.all([sluice('topics', 'list'), sluice('topics', 'describe', plain), sluice('topics', 'delete', plain, '--yes')]);
    expect(list.stdout.split('\n')).not.toContain(plain);
    for (const result of [describe, again]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`sluice: topic ${plain} does not exist (sluice topics list shows the topics there are)\n`);
    }
  });

  it('refuses bad requests with exit 2, saying what is wrong and how to fix it', async () => {
    const brokers = (await clusterBrokers(props)).length;
    const cases: [string[], string][] = [
      [['topics', 'create', 'bad name!'], "sluice: 'bad name!' is not a legal topic name: use 1-249 characters from a-z, A-Z, 0-9, '.', '_' and '-' (not '.' or '..' alone)"],
      [['topics', 'create', `topics-${run}.x`, '--replication-factor', String(brokers + 1)], `replication factor ${brokers + 1} needs ${brokers + 1} brokers and the cluster has ${brokers}; pass --replication-factor ${brokers}`],
      [['topics', 'create', `topics-${run}.x`, '--config', 'nonsense.key=1'], 'Unknown topic config name: nonsense.key — check the --config names and values'],
      [['topics', 'create', `topics-${run}.x`, '--config', 'retention.ms=soon'], 'Invalid value soon for configuration retention.ms: Not a number of type LONG — check the --config names and values'],
      [['topics', 'create', `topics-${run}.x`, '--config', 'retention.ms'], "--config takes key=value (e.g. retention.ms=86400000), got 'retention.ms'"],
      [['topics', 'create', `topics-${run}.x`, '--partitions', '0'], "--partitions must be a whole number ≥ 1, got '0'"],
      [['topics', 'create', `topics-${run}.x`, '--compact', '--config', 'cleanup.policy=delete'], '--compact and --config cleanup.policy=delete contradict each other; give one'],
      [['topics', 'describe', table, '--format', 'yaml'], "argument 'yaml' is invalid. Allowed choices are text, json"],
    ];
    const results = await Promise.all(cases.map(([args]) => sluice(...args)));
    results.forEach((result, i) => {
      expect(result.code, `${cases[i]![0].join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(cases[i]![1]);
      expect(result.stderr).not.toContain('    at ');
    });
    const admin = new KafkaAdmin(props);
    try {
      expect((await admin.partitionCounts([`topics-${run}.x`])).size, 'no refused request created a topic').toBe(0);
    } finally {
      admin.close();
    }
  });
});
