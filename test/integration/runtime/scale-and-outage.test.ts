import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { serviceProbes } from '../../../src/cli/service-probes.js';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { kafkaProcess } from '../../../src/stack/native-kafka.js';
import { stackLayout, stackUp } from '../../../src/stack/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable } from '../../support/kafka-test-kit.js';
import { busTopologyFile, stackEnv } from '../../support/bus-topology-file.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

const stack = inject('stack');
const repoRoot = new URL('../../..', import.meta.url).pathname;
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const env = stackEnv(stack);


async function prepare(label: string, partitions: number, count: number) {
  const name = `${label}-${run}`;
  const source = `${label}.${run}`;
  const project = fixtureProject(name, { [`topologies/${name}.ts`]: busTopologyFile(name, source) });
  await admin.ensureTopics([{ name: source, partitions }]);
  const input = busWorkload({ count, routes: 100, seed: partitions, stepMs: 5, invalidEvery: 100 });
  await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
  const tableMatches = () => async () => compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, partitions), busOracle(input));
  return { name, project, tableMatches };
}

afterAll(() => admin.close());

describe('scale-out and broker outage (real broker)', () => {
  it('two processes share a 6-partition topic; when one stops mid-stream the other takes over its partitions and state', async () => {
    const { name, project, tableMatches } = await prepare('scale', 6, 60_000);
    const first = new SluiceProcess(['run', name], { cwd: project.dir, env });
    const second = new SluiceProcess(['run', name], { cwd: project.dir, env });
    try {
      await Promise.all([first.waitForLog('partitions assigned', 60_000), second.waitForLog('partitions assigned', 60_000)]);
      await sleep(1_000);
      first.kill('SIGTERM');
      expect((await first.exited).code, first.tail()).toBe(0);
      const mismatch = await eventually(tableMatches(), 120_000, 2_000);
      expect(mismatch, second.tail()).toBeUndefined();
      // The table can match before the rebalance that follows the leave completes (the survivor may
      // have processed everything already), so the take-over is awaited rather than checked at once.
      const takeOver = await eventually(async () => {
        const assignments = second.lines.filter((l) => l.msg === 'partitions assigned').length;
        return assignments >= 2 ? undefined : `the survivor logged ${assignments} assignment(s), expected a second one with the stopped process’s partitions`;
      }, 30_000, 250);
      expect(takeOver, second.tail()).toBeUndefined();
    } finally {
      first.kill('SIGKILL');
      second.kill('SIGTERM');
      await second.exited;
      project.remove();
    }
  });

  it('controls the native broker: stopped for ~20 s mid-stream, the process stays up and the result equals the oracle', async () => {
    expect(stack.sources.kafka, 'this test stops and restarts the broker, which only the native stack lets it do').toBe('native');
    const { name, project, tableMatches } = await prepare('outage', 3, 60_000);
    const layout = stackLayout({ projectDir: repoRoot });
    const topologyProcess = new SluiceProcess(['run', name, '--instance-id', 'outage'], { cwd: project.dir, env });
    try {
      await topologyProcess.waitForLog('partitions assigned', 60_000);
      await sleep(800);
      expect(await kafkaProcess(layout).stop(60_000)).toBe(true);
      await sleep(20_000);
      const before = topologyProcess.child.exitCode;
      await stackUp({ projectDir: repoRoot, probes: serviceProbes });
      expect(before, 'the topology process must survive the outage').toBeNull();
      const mismatch = await eventually(tableMatches(), 100_000, 2_000);
      expect(mismatch, topologyProcess.tail()).toBeUndefined();
      expect(topologyProcess.child.exitCode).toBeNull();
    } finally {
      if (!kafkaProcess(layout).running()) await stackUp({ projectDir: repoRoot, probes: serviceProbes });
      topologyProcess.kill('SIGTERM');
      await topologyProcess.exited;
      project.remove();
    }
  });
});
