import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { avg, count, max, plan, sum, topology, tumbling } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport } from '../../../src/kafka/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, type BusEvent } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable, readTopic } from '../../support/kafka-test-kit.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin(bootstrap);
const quiet: RuntimeLog = (level, message, fields) => {
  if (level === 'error') console.error(message, fields);
};

function busTopology(name: string, source: string) {
  return topology(name)
    .source<BusEvent>(source, { schema: busEventSchema, eventTime: 'timestamp' })
    .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
    .deadLetter(`${source}.dlq`)
    .groupBy('by-route', 'route_id')
    .window('per-minute', tumbling('1m'), { grace: '10m' })
    .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
    .toTable(`${source}.stats`);
}

afterAll(() => admin.close());

describe('TopologyRunner on the real broker (exactly-once)', () => {
  it('a windowed topology with a repartition produces exactly the oracle table, and the DLQ holds exactly the invalid records', async () => {
    const name = `bus-${run}`;
    const source = `bus.${run}`;
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    const input = busWorkload({ count: 6_000, routes: 20, seed: 7, invalidEvery: 50 });
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
    const oracle = busOracle(input);

    const transport = kafkaStreamTransport(bootstrap);
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const runner = new TopologyRunner({
      plan: plan(busTopology(name, source)),
      transport,
      registry,
      resolveSchema: (ref) => (typeof ref === 'string' ? busEventSchema : ref),
      log: quiet,
      instanceId: 'test',
      purgeEveryMs: 0,
    });
    await runner.start();
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      const mismatch = await eventually(async () => compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3), oracle), 90_000, 2_000);
      expect(mismatch).toBeUndefined();
    } finally {
      stop.abort();
      await running;
      await transport.close();
    }
    const invalid = input.filter((r) => r.invalid).length;
    const dlq = await readTopic(stack.kafkaBootstrapServers, `${source}.dlq`, 1);
    expect(dlq).toHaveLength(invalid);
    const reasons = dlq.map((m) => Object.assign({}, ...(m.headers ?? []))['sluice.error.reason']?.toString());
    expect(new Set(reasons)).toEqual(new Set(['invalid']));
    expect(runner.stats.deadLettered).toBe(invalid);
    const repartition = await readTopic(stack.kafkaBootstrapServers, `${name}.by-route-repartition`, 3);
    expect(repartition.length, 'consumed repartition records are purged (the topic keeps them with infinite retention until then)').toBeLessThan(input.length - invalid);
  });
});

