import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable, readTopic } from '../../support/kafka-test-kit.js';
import { busTopologyFile, stackEnv } from '../../support/bus-topology-file.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const env = stackEnv(stack);


afterAll(() => admin.close());

async function committedTotal(group: string, topic: string): Promise<bigint> {
  for (let attempt = 1; ; attempt++) {
    try {
      const committed = await admin.committedOffsets(group, [0, 1, 2].map((partition) => ({ topic, partition })));
      return [...committed.values()].reduce((a, b) => a + b, 0n);
    } catch (error) {
      // A killed member's open transaction holds its offsets "unstable" until it is aborted or fenced.
      if (attempt >= 300) throw error;
      await sleep(100);
    }
  }
}

describe('sluice run survives kill -9 (exactly-once, real broker)', () => {
  it('200,000 records, 100 keys, three kill -9 mid-stream: the table equals the oracle, the DLQ holds exactly the invalid records', async () => {
    const name = `crash-${run}`;
    const source = `crash.${run}`;
    const project = fixtureProject(name, { [`topologies/${name}.ts`]: busTopologyFile(name, source) });
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    const input = busWorkload({ count: 200_000, routes: 100, seed: 42, stepMs: 5, invalidEvery: 100 });
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
    const oracle = busOracle(input);

    const started = Date.now();
    const at = (what: string): void => console.info(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    try {
      for (let crash = 1; crash <= 3; crash++) {
        const process = new SluiceProcess(['run', name, '--instance-id', 'crash-test'], { cwd: project.dir, env });
        await process.waitForLog('partitions assigned', 60_000);
        // What `sluice run` does by default, and what these kills must not break: a processing thread beside the Kafka client.
        expect(process.lines.some((l) => String(l.msg).startsWith('processing on a worker thread')), process.tail()).toBe(true);
        // Killed once it has committed something of its own, so each kill lands in the middle of the work (a fixed
        // delay can outlast a fast run), at a varying point of the transaction that follows. Each process then
        // starts on a backlog whose partitions arrive one by one — what made event-time alignment let the first
        // one run ahead before the fix in TopologyRunner#checkpoint (late records, a table short of the oracle).
        const before = await committedTotal(name, source);
        const stuck = await eventually(async () => ((await committedTotal(name, source)) > before ? undefined : `still at ${before} committed`), 60_000, 10);
        expect(stuck, process.tail()).toBeUndefined();
        await sleep(crash * 15);
        process.kill('SIGKILL');
        expect((await process.exited).signal).toBe('SIGKILL');
        at(`kill -9 #${crash}`);
      }
      const incomplete = compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3), oracle);
      expect(incomplete, 'the kills should have landed mid-stream').toBeDefined();

      const survivor = new SluiceProcess(['run', name, '--instance-id', 'crash-test'], { cwd: project.dir, env });
      const mismatch = await eventually(
        async () => compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3), oracle),
        120_000,
        2_000,
      );
      at('table equals the oracle');
      survivor.kill('SIGTERM');
      const exit = await survivor.exited;
      expect(mismatch, survivor.tail()).toBeUndefined();
      expect(exit.code, 'SIGTERM finishes the batch, commits, leaves the group and exits 0').toBe(0);

      const dlq = await readTopic(stack.kafkaBootstrapServers, `${source}.dlq`, 1);
      expect(dlq).toHaveLength(input.filter((r) => r.invalid).length);
      const dlqSources = new Set(
        dlq.map((m) => {
          const headers = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>;
          return `${headers['sluice.source.partition']}:${headers['sluice.source.offset']}`;
        }),
      );
      expect(dlqSources.size, 'no DLQ record twice').toBe(dlq.length);
    } finally {
      project.remove();
    }
  });
});
