import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, kafkaStreamTransport, RecordProducer } from '../../../src/kafka/index.js';
import type { StreamTransport } from '../../../src/runtime/stream-transport.js';
import { relayedTransport } from '../../support/relayed-transport.js';
import { partitionKey } from '../../../src/partition-key.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin(bootstrap);
const topics: string[] = [];

afterAll(async () => {
  await admin.deleteTopics(topics).catch(() => {});
  admin.close();
});

/**
 * Tasks keep their event-time progress in the metadata of their committed
 * offsets (TaskProgress): it must go into the transaction with the offsets
 * and come back to the group's next member, through librdkafka and through
 * the processing thread's relay.
 */
describe.each(['direct', 'relayed'] as const)('offset metadata through the %s transport', (via) => {
  it.each(['exactly-once', 'at-least-once'] as const)('%s: committed with the offset and read back by the group\'s next member', async (guarantee) => {
    const topic = `meta.${via}.${guarantee}.${run}`;
    const group = `meta-${via}-${guarantee}-${run}`;
    topics.push(topic);
    await admin.ensureTopics([{ name: topic, partitions: 2 }]);
    const producer = await RecordProducer.connect(bootstrap);
    await producer.produceAll([0, 1].map((partition) => ({ topic, partition, key: null, value: Buffer.from('x') })));
    await producer.close();

    const kafka = kafkaStreamTransport(bootstrap);
    const relay = via === 'relayed' ? relayedTransport(kafka) : undefined;
    const transport: StreamTransport = relay?.transport ?? kafka;
    try {
      const consumer = await transport.connectConsumer(group, [topic], (change) => change.done());
      const deadline = Date.now() + 30_000;
      while (consumer.assignment().length < 2 && Date.now() < deadline) await consumer.poll(10, 200);
      const writer = await transport.connectWriter({ guarantee, transactionalId: `meta-${via}-${guarantee}-${run}`, consumer });
      const progress = JSON.stringify({ v: 1, sinks: { 'x.repartition': 1_700_000_000_123 } });
      await writer.begin();
      await writer.commit([
        { topic, partition: 0, nextOffset: 1n, metadata: progress },
        { topic, partition: 1, nextOffset: 1n },
      ]);
      await writer.close();
      await consumer.close();

      const next = await transport.connectConsumer(group, [topic], (change) => change.done());
      const partitions = [0, 1].map((partition) => ({ topic, partition }));
      const metadata = await next.committedMetadata!(partitions);
      expect(metadata.get(partitionKey(topic, 0))).toBe(progress);
      expect(metadata.has(partitionKey(topic, 1))).toBe(false);
      expect((await next.committed(partitions)).get(partitionKey(topic, 0))).toBe(1n);
      await next.close();
    } finally {
      await relay?.close();
      await kafka.close();
    }
  });
});
