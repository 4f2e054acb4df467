import { count, plan, topology, tumbling, type InputRecord } from 'sluice';
import { InMemorySchemaRegistry } from 'sluice/testing';
import { expect, test } from 'vitest';
import { PrometheusObserver } from '../../../src/metrics/prometheus-observer.js';
import type { CheckpointWriter, TopicPartitionRef } from '../../../src/runtime/stream-transport.js';
import { onePollTransport } from '../../support/one-poll-transport.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import { AvroCodec } from '../../../src/serde/index.js';

const SOURCE = 'rides';
const schema = { type: 'record', name: 'Ride', fields: [{ name: 'route', type: 'string' }, { name: 'at', type: 'long' }] } as const;

test('a full state budget is counted in the runner stats and sluice_state_overflow_total{topology,step}, warned about, and its records dead-lettered as state-full', async () => {
  const ridesPlan = plan(
    topology('rides')
      .source<{ route: string; at: number }>(SOURCE, { schema, eventTime: 'at' })
      .deadLetter('rides.dlq')
      .groupByKey('by-route', { as: 'route' })
      .window('per-minute', tumbling('1m'), { grace: '10s' })
      .aggregate('agg', { rides: count() })
      .toTable('rides.stats'),
    // As sluice run --max-open-windows 2 does for steps without a budget of their own.
    { maxOpenWindows: 2 },
  );
  const registry = new InMemorySchemaRegistry();
  const codec = new AvroCodec<unknown>({ registry, subject: `${SOURCE}-value`, readerSchema: schema });
  await codec.registerWriter();
  const records: InputRecord[] = ['r1', 'r2', 'r3', 'r1', 'r4', 'r5'].map((route, i) => ({
    topic: SOURCE, partition: 0, offset: BigInt(i), timestamp: 0, key: Buffer.from(route), headers: {},
    value: codec.encode({ route, at: 1_000 + i }),
  }));
  const stop = new AbortController();
  const assigned: TopicPartitionRef[] = [{ topic: SOURCE, partition: 0 }];
  const produced: { topic: string; reason: string | undefined }[] = [];
  const writer: CheckpointWriter = {
    begin: async () => {},
    produce: async (outputs) => void produced.push(...outputs.map((o) => ({ topic: o.topic, reason: o.headers['sluice.error.reason']?.toString() }))),
    commit: async () => {},
    abort: async () => {},
    close: async () => {},
  };
  const transport = onePollTransport({ assigned, records: records, writer, stop, partitions: 1 });
  const observer = new PrometheusObserver();
  const warnings: string[] = [];
  const runner = new TopologyRunner({
    plan: ridesPlan, transport, registry, resolveSchema: (ref) => (typeof ref === 'string' ? schema : ref), observer, instanceId: 'test',
    log: (level, message, fields) => void (level === "warn" && warnings.push(`${message} ${JSON.stringify(fields)}`)),
  });
  await runner.start();
  // The series exists before anything overflows.
  expect(await observer.registry.metrics()).toContain('sluice_state_overflow_total{topology="rides",step="per-minute"} 0');
  await runner.run(stop.signal);
  expect(runner.stats.stateOverflow).toBe(3);
  expect(runner.stats.deadLettered).toBe(3);
  expect(produced.filter((p) => p.topic === 'rides.dlq').map((p) => p.reason)).toEqual(['state-full', 'state-full', 'state-full']);
  expect(produced.filter((p) => p.topic === 'rides.stats')).toHaveLength(2);
  const metrics = await observer.registry.metrics();
  expect(metrics).toContain('sluice_state_overflow_total{topology="rides",step="per-minute"} 3');
  expect(metrics).toContain('sluice_dead_letter_records_total{topology="rides",reason="state-full"} 3');
  expect(warnings.filter((w) => w.includes('maxOpenWindows'))).toHaveLength(1);
});
