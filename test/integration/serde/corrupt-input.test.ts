import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { avg, count, max, plan, sum, topology, tumbling } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport, RecordProducer } from '../../../src/kafka/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { AvroCodec, HttpSchemaRegistry } from '../../../src/serde/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, seededRandom, type BusEvent } from '../../support/bus-workload.js';
import { CORRUPTIONS, corruptPayload, type Corruption } from '../../support/corrupt-payloads.js';
import { eventually, readTable, readTopic } from '../../support/kafka-test-kit.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const source = `corrupt.${run}.bus`;
const admin = new KafkaAdmin(bootstrap);
const quiet: RuntimeLog = (level, message, fields) => {
  if (level === 'error' || process.env.SLUICE_TEST_LOG) console.error(level, message, fields);
};

afterAll(() => admin.close());

const VALID = 100_000;
const PER_KIND = 200; // × 5 kinds = 1,000 corrupt records
const KINDS = Object.keys(CORRUPTIONS) as Corruption[];

describe('corrupt input on the real registry and broker', () => {
  it('100,000 valid records mixed with 1,000 corrupt ones: exactly 1,000 DLQ records with their reasons, and the aggregates equal the oracle over the valid ones', async () => {
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    // 5 ms apart: the whole workload spans ~8 minutes of event time, inside the grace, so no record is late
    // however unevenly the three source partitions feed the repartition topic.
    const valid = busWorkload({ count: VALID, routes: 40, seed: 23, stepMs: 5, jitterMs: 2_000 });
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const codec = new AvroCodec<BusEvent>({ registry, subject: `${source}-value`, readerSchema: busEventSchema });
    const id = await codec.registerWriter();

    // Corrupt records at random places among the valid ones, each keyed by its kind so its DLQ copy can be checked.
    const random = seededRandom(99);
    const encoded = valid.map((r) => ({ key: Buffer.from(r.key), value: codec.encode(r.value) }));
    const records = [...encoded];
    const expectedReason = new Map<string, string>();
    for (const kind of KINDS) {
      for (let i = 0; i < PER_KIND; i++) {
        const key = `corrupt-${kind}-${i}`;
        expectedReason.set(key, CORRUPTIONS[kind]);
        const at = Math.floor(random() * records.length);
        records.splice(at, 0, { key: Buffer.from(key), value: corruptPayload(kind, encoded[Math.floor(random() * VALID)]!.value, id, i) });
      }
    }
    const producer = await RecordProducer.connect(bootstrap);
    try {
      for (let i = 0; i < records.length; i += 20_000) await producer.produceAll(records.slice(i, i + 20_000).map((r) => ({ topic: source, ...r })));
    } finally {
      await producer.close();
    }

    const t = topology(`corrupt-${run}`)
      .source<BusEvent>(source, { schema: busEventSchema, eventTime: 'timestamp' })
      .deadLetter(`${source}.dlq`)
      .groupBy('by-route', 'route_id')
      .window('per-minute', tumbling('1m'), { grace: '1h' })
      .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
      .toTable(`${source}.stats`);
    const transport = kafkaStreamTransport(bootstrap);
    const runner = new TopologyRunner({
      plan: plan(t),
      transport,
      registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }),
      resolveSchema: (ref) => (typeof ref === 'string' ? busEventSchema : ref),
      log: quiet,
      instanceId: 'corrupt',
    });
    const oracle = busOracle(valid);
    await runner.start();
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      const mismatch = await eventually(async () => {
        // Source and repartition records both count: 101,000 + 100,000 when everything went through.
        if (runner.stats.processed < records.length + VALID) return `processed ${runner.stats.processed} of ${records.length + VALID}`;
        // A read can fail while the broker is busy (e.g. "not leader" for a new topic): try again next round.
        return readTable<Record<string, unknown>, Record<string, unknown>>(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${source}.stats`, 3).then((table) => compareRouteTable(table, oracle), String);
      }, 170_000, 2_000);
      expect(mismatch).toBeUndefined();
    } finally {
      stop.abort();
      await running;
      await transport.close();
    }

    const dlq = await readTopic(stack.kafkaBootstrapServers, `${source}.dlq`, 1);
    expect(dlq).toHaveLength(KINDS.length * PER_KIND);
    const wrong: string[] = [];
    for (const m of dlq) {
      const headers = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer | undefined>;
      const key = m.key?.toString() ?? '(no key)';
      const reason = headers['sluice.error.reason']?.toString();
      if (reason !== expectedReason.get(key)) wrong.push(`${key}: reason ${reason}, expected ${expectedReason.get(key)} (${headers['sluice.error.message']?.toString()})`);
      if (!headers['sluice.error.message']?.length || headers['sluice.source.topic']?.toString() !== source) wrong.push(`${key}: missing error message or source topic header`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(new Set(dlq.map((m) => m.key?.toString())).size).toBe(KINDS.length * PER_KIND);
    expect(runner.stats.deadLettered).toBe(KINDS.length * PER_KIND);
  });
});
