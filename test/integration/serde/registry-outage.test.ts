import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { avg, count, max, plan, sum, topology, tumbling, type TopologyPlan } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport } from '../../../src/kafka/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { HttpSchemaRegistry, type AvroRecordSchema } from '../../../src/serde/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, type BusEvent } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable, readTopic } from '../../support/kafka-test-kit.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const source = `outage.${run}.bus`;
const admin = new KafkaAdmin(bootstrap);
const { proxy, rewrite } = TcpProxy.forUrl(stack.schemaRegistryUrl);
const log: RuntimeLog = (level, message, fields) => {
  if (level === 'error' || process.env.SLUICE_TEST_LOG) console.error(new Date().toISOString().slice(11, 23), level, message, JSON.stringify(fields));
};

afterAll(async () => {
  await proxy.stop();
  await admin.close();
});

/** A later producer's schema: one more optional field. A new writer id the topology has never fetched. */
const busEventV2: AvroRecordSchema = { ...busEventSchema, fields: [...busEventSchema.fields, { name: 'driver', type: ['null', 'string'], default: null }] };

/** One instance of the topology, its registry behind the proxy, running until stopped. */
function startInstance(p: TopologyPlan): { runner: TopologyRunner; stop: () => Promise<void> } {
  const transport = kafkaStreamTransport(bootstrap);
  // A new client per instance: the restarted topology starts with a cold schema cache.
  const registry = new HttpSchemaRegistry({ url: rewrite(), timeoutMs: 2_000 });
  const runner = new TopologyRunner({ plan: p, transport, registry, resolveSchema: (ref) => (typeof ref === 'string' ? busEventSchema : ref), log, instanceId: 'outage' });
  const abort = new AbortController();
  const running = runner.start().then(() => runner.run(abort.signal));
  let stopped: Promise<void> | undefined;
  return {
    runner,
    stop: () =>
      (stopped ??= (async () => {
        abort.abort();
        try {
          await running;
        } finally {
          await transport.close();
        }
      })()),
  };
}

describe('schema registry outage', () => {
  it('registry down ~20 s mid-stream (warm cache, then a restart while down): no DLQ growth, processing resumes and equals the oracle', async () => {
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    await proxy.start();
    const all = busWorkload({ count: 30_000, routes: 20, seed: 41, stepMs: 10 });
    const [a, b1, b2] = [all.slice(0, 10_000), all.slice(10_000, 20_000), all.slice(20_000)];
    const table = (): Promise<string | undefined> =>
      readTable<Record<string, unknown>, Record<string, unknown>>(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3)
        .then((t) => compareRouteTable(t, oracleOf), String);
    let oracleOf = busOracle(a);
    const dlqSize = async (): Promise<number> => (await readTopic(stack.kafkaBootstrapServers, `${source}.dlq`, 1)).length;

    const p = plan(
      topology(`outage-${run}`)
        .source<BusEvent>(source, { schema: 'bus-event', eventTime: 'timestamp' })
        .deadLetter(`${source}.dlq`)
        .groupBy('by-route', 'route_id')
        .window('per-minute', tumbling('1m'), { grace: '1h' })
        .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
        .toTable(`${source}.stats`),
    );

    // 1. Registry up: the first third goes through and warms the cache.
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, a);
    const first = startInstance(p);
    let second: ReturnType<typeof startInstance> | undefined;
    try {
      expect(await eventually(table, 90_000, 1_000)).toBeUndefined();
      expect(await dlqSize()).toBe(0);

      // 2. Registry down. Records with a schema id already cached keep flowing.
      await proxy.stop();
      const down = Date.now();
      await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, b1);
      oracleOf = busOracle([...a, ...b1]);
      expect(await eventually(table, 90_000, 1_000)).toBeUndefined();

      // 3. A producer with a new schema version: its id cannot be fetched, so the batch waits (retry, paused).
      await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventV2, b2);
      expect(await eventually(async () => (first.runner.stats.aborts > 0 ? undefined : 'no failed checkpoint yet'), 60_000, 200)).toBeUndefined();

      // 4. Restart the topology while the registry is still down: a cold cache, nothing can be decoded.
      await first.stop();
      const connectionsBefore = proxy.connections;
      second = startInstance(p);
      expect(await eventually(async () => (second!.runner.stats.aborts >= 2 ? undefined : 'the restarted instance has not retried yet'), 60_000, 200)).toBeUndefined();
      const outage = 20_000 - (Date.now() - down);
      if (outage > 0) await sleep(outage);
      expect(await dlqSize()).toBe(0);
      expect(first.runner.stats.deadLettered + second.runner.stats.deadLettered).toBe(0);

      // 5. Registry back: everything is processed, nothing was dead-lettered or skipped.
      await proxy.start();
      oracleOf = busOracle(all);
      expect(await eventually(table, 120_000, 1_000)).toBeUndefined();
      expect(proxy.connections).toBeGreaterThan(connectionsBefore);
    } finally {
      await first.stop();
      await second?.stop();
    }
    expect(await dlqSize()).toBe(0);
    expect(second?.runner.stats.deadLettered).toBe(0);
  });
});
