import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BatchConsumer, KafkaAdmin, kafkaStreamTransport, TransactionalProducer } from '../../../src/kafka/index.js';

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
  // A successor restarted behind a dead writer's open transaction: its committed offset is the last stable offset,
  // so it can fetch nothing and has no fetch position. Its lag used to be left out (librdkafka's lag needs a
  // position): no series, a total of 0, while the windowed stage was stuck.
  it('counts from the committed offset a partition it could fetch nothing from: stuck behind a dead writer’s transaction is not "0 behind"', async () => {
    const transport = kafkaStreamTransport(bootstrap);
    const group = `lag-group-${run}`;
    const committed = await TransactionalProducer.connect(bootstrap, `lag-ok-${run}`);
    const dead = await TransactionalProducer.connect(bootstrap, `lag-dead-${run}`);
    try {
      await committed.begin();
      await committed.produce(records(10, 'committed'));
      await committed.commit();
      // The predecessor: consumed the 10 committed records and committed its offset.
      const predecessor = await BatchConsumer.connect({ ...bootstrap, 'group.id': group }, [topic]);
      let read = 0;
      for (let i = 0; i < 600 && read < 10; i++) read += (await predecessor.poll(100, 100)).length;
      expect(read).toBe(10);
      await predecessor.commit([{ topic, partition: 0, offset: 10 }]);
      await predecessor.close();

      await dead.begin();
      await dead.produce(records(5, 'open'));
      const successor = await transport.connectConsumer(group, [topic], (change) => change.done());
      try {
        let lag: number | undefined;
        let fetched = 0;
        for (let i = 0; i < 300 && lag !== 5; i++) {
          fetched += (await successor.poll(100, 100)).length;
          lag = successor.lag().find((l) => l.topic === topic && l.partition === 0)?.records;
          await sleep(50);
        }
        expect(fetched, 'nothing is fetchable before the open transaction ends').toBe(0);
        expect(lag, 'from the committed offset to the high watermark: the 5 records of the open transaction').toBe(5);
      } finally {
        await successor.close();
      }
    } finally {
      await dead.abort().catch(() => {});
      await Promise.all([committed.close(), dead.close()]);
      await transport.close();
    }
  });
});
