import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable, readTopic } from '../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const env = { ...process.env, KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: stack.databaseUrl };

/** The bus topology of DESIGN.md as a user's file; grace covers the generator's jitter, so the oracle needs no lateness model. */
function topologyFile(name: string, source: string): string {
  return `import { avg, count, max, sum, topology, tumbling } from 'sluice';
const schema = ${JSON.stringify(busEventSchema)};
interface BusEvent { bus_id: string; route_id: string; speed_kmh: number; passengers: number; timestamp: number }
export default topology('${name}')
  .source<BusEvent>('${source}', { schema, eventTime: 'timestamp' })
  .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
  .deadLetter('${source}.dlq')
  .groupBy('by-route', 'route_id')
  .window('per-minute', tumbling('1m'), { grace: '10m' })
  .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
  .toTable('${source}.stats');
`;
}

afterAll(() => admin.close());

describe('sluice run survives kill -9 (exactly-once, real broker)', () => {
  it('100,000 records, 100 keys, three kill -9 mid-stream: the table equals the oracle, the DLQ holds exactly the invalid records', async () => {
    const name = `crash-${run}`;
    const source = `crash.${run}`;
    const project = fixtureProject(name, { [`topologies/${name}.ts`]: topologyFile(name, source) });
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
