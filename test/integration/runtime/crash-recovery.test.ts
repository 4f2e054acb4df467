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

describe('sluice run survives kill -9 (exactly-once, real broker)', () => {
  it('100,000 records, 100 keys, three kill -9 mid-stream: the table equals the oracle, the DLQ holds exactly the invalid records', async () => {
    const name = `crash-${run}`;
    const source = `crash.${run}`;
    const project = fixtureProject(name, { [`topologies/${name}.ts`]: busTopologyFile(name, source) });
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    const input = busWorkload({ count: 100_000, routes: 100, seed: 42, stepMs: 5, invalidEvery: 100 });
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
    const oracle = busOracle(input);

    const started = Date.now();
    const at = (what: string): void => console.info(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    try {
      for (let crash = 1; crash <= 3; crash++) {
        const process = new SluiceProcess(['run', name, '--instance-id', 'crash-test'], { cwd: project.dir, env });
        await process.waitForLog('partitions assigned', 60_000);
        await sleep(700 + crash * 300);
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
