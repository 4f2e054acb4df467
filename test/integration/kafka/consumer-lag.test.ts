import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, kafkaStreamTransport, TransactionalProducer } from '../../../src/kafka/index.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const topic = `lag.open.${run}`;
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = new KafkaAdmin(bootstrap);
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
});

afterAll(async () => {
  await admin.deleteTopics([topic]).catch(() => {});
  admin.close();
});

const records = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ topic, partition: 0, key: null, value: Buffer.from(`${tag}-${i}`) }));

describe('consumer lag behind an open transaction (issue 17 item 3)', () => {
  it('counts the records after the last stable offset: a read_committed consumer stuck behind a dead writer’s transaction is not "0 behind"', async () => {
    const transport = kafkaStreamTransport(bootstrap);
    const committed = await TransactionalProducer.connect(bootstrap, `lag-ok-${run}`);
    const dead = await TransactionalProducer.connect(bootstrap, `lag-dead-${run}`);
    const consumer = await transport.connectConsumer(`lag-group-${run}`, [topic], (change) => change.done());
    try {
      await committed.begin();
      await committed.produce(records(10, 'committed'));
      await committed.commit();
      await dead.begin();
      await dead.produce(records(5, 'open'));
      let read = 0;
      let lag: number | undefined;
      for (let i = 0; i < 600 && lag !== 5; i++) {
        read += (await consumer.poll(100, 100)).length;
        lag = consumer.lag().find((l) => l.topic === topic && l.partition === 0)?.records;
        await sleep(50);
      }
      expect(read).toBe(10);
      expect(lag, 'lag against the high watermark: the 5 records of the open transaction').toBe(5);
    } finally {
      await dead.abort().catch(() => {});
      await consumer.close();
      await Promise.all([committed.close(), dead.close()]);
      await transport.close();
    }
  });
});
