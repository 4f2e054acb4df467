import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { avg, count, max, plan, sum, topology, tumbling } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport, PartitionReader, type TopicPartition } from '../../../src/kafka/index.js';
import type { AlignmentOption } from '../../../src/runtime/topology-alignment.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { awaitQuiescence } from '../../support/await-quiescence.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, type BusEvent } from '../../support/bus-workload.js';
import { produceAvro, readTable } from '../../support/kafka-test-kit.js';
import { relayedTransport } from '../../support/relayed-transport.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin(bootstrap);
const quiet: RuntimeLog = (level, message, fields) => {
  if (level === 'error') console.error(message, fields);
};

afterAll(() => admin.close());

// 45,000 events 50 ms apart (37.5 min of event time; a 5,000-record poll of one partition spans
// 12.5 min) with ±5 s of disorder: nothing is late when the partitions are read in step.
const input = busWorkload({ count: 45_000, routes: 20, seed: 11 });
const oracle = busOracle(input);

/**
 * README's "catching up after a repartition": the whole input is in a
 * 3-partition source topic before the runner starts; groupBy → repartition →
 * 1 m tumbling window with 30 s grace. Returns the runner's counters and the
 * table's differences from the oracle.
 */
async function catchUp(
  label: string,
  alignment: AlignmentOption | undefined,
  via: 'direct' | 'relayed' = 'direct',
  tuning: { readonly maxBatchRecords?: number } = {},
): Promise<{ late: number; processed: number; table: string | undefined }> {
  const name = `align-${label}-${run}`;
  const source = `align.${label}.${run}`;
  await admin.ensureTopics([{ name: source, partitions: 3 }]);
  await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input);
  const topologyPlan = plan(
    topology(name)
      .source<BusEvent>(source, { schema: busEventSchema, eventTime: 'timestamp' })
      .deadLetter(`${source}.dlq`)
      .groupBy('by-route', 'route_id')
      .window('per-minute', tumbling('1m'), { grace: '30s' })
      .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
      .toTable(`${source}.stats`),
  );
  const kafka = kafkaStreamTransport(bootstrap);
  const relay = via === 'relayed' ? relayedTransport(kafka) : undefined;
  const runner = new TopologyRunner({
    plan: topologyPlan,
    transport: relay?.transport ?? kafka,
    registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }),
    resolveSchema: (ref) => (typeof ref === 'string' ? busEventSchema : ref),
    log: quiet,
    instanceId: 'test',
    ...(alignment === undefined ? {} : { alignment }),
    ...tuning,
  });
  await runner.start();
  const stop = new AbortController();
  const running = runner.run(stop.signal);
  const reader = await PartitionReader.connect(bootstrap);
  try {
    const inputs: TopicPartition[] = [];
    for (const topic of [source, `${name}.by-route-repartition`]) for (let partition = 0; partition < 3; partition++) inputs.push({ topic, partition });
    let failure: unknown;
    void running.catch((error: unknown) => (failure = error));
    await awaitQuiescence({ admin, reader, groupId: runner.groupId, inputs, alive: () => { if (failure) throw failure; }, lastRecords: new Map() }, 150_000);
  } finally {
    stop.abort();
    await running;
    await relay?.close();
    await kafka.close();
    await reader.close();
  }
  const table = compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3), oracle);
  await admin.deleteTopics([source, `${source}.dlq`, ...topologyPlan.topics.map((t) => t.name)]).catch(() => {});
  return { late: runner.stats.late, processed: runner.stats.processed, table };
}

/** Busy loops beside the test, one per core and one more: the load under which issue 17 saw 12–20 % late. */
function saturateCpu(): () => void {
  const loops = Array.from({ length: availableParallelism() + 1 }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => {
    for (const loop of loops) loop.kill('SIGKILL');
  };
}

describe('event time across source partitions (catch-up after a repartition)', () => {
  // Before issue 17's fix this control made thousands of valid records late (and the count depended on
  // the machine's load): lateness after a repartition followed the order the partitions were read in.
  it('without alignment, a pre-loaded backlog counts no record late and the table equals the oracle', async () => {
    const result = await catchUp('off', false);
    console.info(`without alignment: ${result.late} of ${input.length} late`);
    expect(result.processed, 'every source record and every repartitioned record processed once').toBe(2 * input.length);
    expect(result.late, 'late records').toBe(0);
    expect(result.table).toBeUndefined();
  });

  it('with the CPU saturated and polls of 500 records, without alignment, still no record is late', async () => {
    const release = saturateCpu();
    let result;
    try {
      result = await catchUp('busy', false, 'relayed', { maxBatchRecords: 500 });
    } finally {
      release();
    }
    console.info(`busy, without alignment: ${result.late} of ${input.length} late`);
    expect(result.processed).toBe(2 * input.length);
    expect(result.late, 'late records').toBe(0);
    expect(result.table).toBeUndefined();
  });

  it.each(['direct', 'relayed'] as const)('with alignment (the default), the same backlog counts no record late and the table equals the oracle (%s transport)', async (via) => {
    const result = await catchUp(`on-${via}`, undefined, via);
    console.info(`with alignment: ${result.late} of ${input.length} late`);
    expect(result.processed, 'every source record and every repartitioned record processed once').toBe(2 * input.length);
    expect(result.late, 'late records').toBe(0);
    expect(result.table).toBeUndefined();
  });
});
