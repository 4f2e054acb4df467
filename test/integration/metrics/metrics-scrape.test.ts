import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { avg, count, max, plan, sum, topology, tumbling } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport } from '../../../src/kafka/index.js';
import { PrometheusObserver, startMetricsServer } from '../../../src/metrics/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, type BusEvent } from '../../support/bus-workload.js';
import { eventually, produceAvro, readTable } from '../../support/kafka-test-kit.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const dashboard = JSON.parse(readFileSync(new URL('../../../src/metrics/grafana/sluice-dashboard.json', import.meta.url), 'utf8')) as {
  panels: { title: string; targets: { expr?: string; rawSql?: string }[] }[];
};

/** Sum of a counter's samples in Prometheus text, over the lines matching `filter`. */
function total(scrape: string, metric: string, filter = ''): number {
  return scrape
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('metrics on a real run', () => {
  it('counters equal what happened, /readyz turns ready after restore, and every metric the dashboard queries exists', async () => {
    const name = `metrics-${run}`;
    const source = `metrics.${run}`;
    const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    await admin.ensureTopics([{ name: source, partitions: 2 }]);
    admin.close();
    const input = busWorkload({ count: 3_000, routes: 10, seed: 3, invalidEvery: 40 });
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
    const invalid = input.filter((r) => r.invalid).length;

    const metrics = new PrometheusObserver();
    const server = await startMetricsServer({ registry: metrics.registry, ready: () => metrics.ready, port: 0, host: '127.0.0.1' });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
      return { status: response.status, text: await response.text() };
    };
    const transport = kafkaStreamTransport({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    const runner = new TopologyRunner({
      plan: plan(
        topology(name)
          .source<BusEvent>(source, { schema: busEventSchema, eventTime: 'timestamp' })
          .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
          .deadLetter(`${source}.dlq`)
          .groupBy('by-route', 'route_id')
          .window('per-minute', tumbling('1m'), { grace: '10m' })
          .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
          .toTable(`${source}.stats`),
      ),
      transport,
      registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }),
      resolveSchema: (ref) => (typeof ref === 'string' ? busEventSchema : ref),
      log: () => {},
      instanceId: 'metrics',
      observer: metrics,
      gaugeEveryMs: 200,
    });
    const stop = new AbortController();
    try {
      expect((await get('/readyz')).status, 'not ready before the group assigned anything').toBe(503);
      await runner.start();
      const running = runner.run(stop.signal);
      const oracle = busOracle(input);
      expect(await eventually(async () => compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 2), oracle), 90_000, 1_000)).toBeUndefined();
      expect((await get('/readyz')).status).toBe(200);
      expect((await get('/healthz')).status).toBe(200);

      const scrape = (await get('/metrics')).text;
      expect(total(scrape, 'sluice_records_in_total', `topic="${source}"`), 'every source record counted once').toBe(input.length);
      expect(total(scrape, 'sluice_records_in_total', 'repartition'), 'every valid record crossed the repartition once').toBe(input.length - invalid);
      expect(total(scrape, 'sluice_dead_letter_records_total', 'reason="invalid"')).toBe(invalid);
      expect(total(scrape, 'sluice_records_out_total', `topic="${source}.dlq"`)).toBe(invalid);
      expect(total(scrape, 'sluice_ready', `topology="${name}"`)).toBe(1);

      const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr?.match(/sluice_[a-z_]+/g) ?? [])));
      expect(queried.size).toBeGreaterThan(8);
      const missing = [...queried].filter((metric) => !new RegExp(`^${metric}[{ ]`, 'm').test(scrape));
      expect(missing, 'metrics the dashboard queries but a real scrape lacks').toEqual([]);
      stop.abort();
      await running;
    } finally {
      stop.abort();
      await transport.close();
      await server.close();
    }
  });
});
