import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BatchConsumer, KafkaAdmin, KafkaClientError, RecordProducer, TransactionalProducer, transactionFault, type KafkaMessage } from '../../../src/kafka/index.js';
import { partitionKey } from '../../../src/partition-key.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const input = `tx.in.${run}`;
const output = `tx.out.${run}`;
let admin: KafkaAdmin;

async function drain(topic: string, expected: number, waitMs: number): Promise<KafkaMessage[]> {
  const consumer = await BatchConsumer.connect({ ...bootstrap, 'group.id': `reader-${randomUUID()}` }, [topic]);
  const seen: KafkaMessage[] = [];
  const deadline = Date.now() + waitMs;
  try {
    while (Date.now() < deadline && seen.length < expected) seen.push(...(await consumer.poll(100, 500)));
    // One more poll after reaching the count, so an extra (duplicate) record would be seen too.
    seen.push(...(await consumer.poll(100, 1_500)));
  } finally {
    await consumer.close();
  }
  return seen;
}

beforeAll(async () => {
  admin = new KafkaAdmin(bootstrap);
  await admin.ensureTopics([{ name: input, partitions: 1 }, { name: output, partitions: 2 }]);
  const producer = await RecordProducer.connect(bootstrap);
  await producer.produceAll(Array.from({ length: 10 }, (_, i) => ({ topic: input, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
  await producer.close();
});

afterAll(async () => {
  await admin.deleteTopics([input, output]).catch(() => {});
  admin.close();
});

describe('transactional producer on the real broker', () => {
  it('an aborted transaction leaves neither outputs nor offsets; a committed one leaves both', async () => {
    const group = `tx-group-${run}`;
    const consumer = await BatchConsumer.connect({ ...bootstrap, 'group.id': group }, [input]);
    const producer = await TransactionalProducer.connect(bootstrap, `tx-${run}`);
    try {
      const batch: KafkaMessage[] = [];
      const deadline = Date.now() + 30_000;
      while (batch.length < 10 && Date.now() < deadline) batch.push(...(await consumer.poll(100, 500)));
      expect(batch).toHaveLength(10);
      const outputs = batch.map((m) => ({ topic: output, key: m.key as Buffer, value: Buffer.from(`out-${String(m.value)}`) }));
      const next = [{ topic: input, partition: 0, offset: 10 }];

      await producer.begin();
      await producer.produce(outputs);
      await producer.sendOffsets(next, consumer);
      await producer.abort();
      expect(await drain(output, 0, 3_000)).toHaveLength(0);
      expect(await consumer.committed([{ topic: input, partition: 0 }])).toEqual([{ topic: input, partition: 0, offset: undefined }]);
      expect(await admin.committedOffsets(group, [{ topic: input, partition: 0 }])).toEqual(new Map());

      await producer.begin();
      await producer.produce(outputs);
      await producer.sendOffsets(next, consumer);
      await producer.commit();
      const committedOutputs = await drain(output, 10, 10_000);
      expect(committedOutputs.map((m) => String(m.value)).sort()).toEqual(batch.map((m) => `out-${String(m.value)}`).sort());
      expect((await consumer.committed([{ topic: input, partition: 0 }]))[0]?.offset).toBe(10);
      expect(await admin.committedOffsets(group, [{ topic: input, partition: 0 }])).toEqual(new Map([[partitionKey(input, 0), 10n]]));

      // Offsets sent in a transaction still open are unstable: a read waits for the commit instead of
      // answering with the old ones (or failing).
      await producer.begin();
      await producer.sendOffsets([{ topic: input, partition: 0, offset: 7 }], consumer);
      const reading = admin.committedOffsets(group, [{ topic: input, partition: 0 }]);
      await new Promise((r) => setTimeout(r, 500));
      await producer.commit();
      expect(await reading).toEqual(new Map([[partitionKey(input, 0), 7n]]));
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  it("reads a group that never existed as one without offsets (librdkafka's admin fetch crashed on such groups)", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await admin.committedOffsets(`never-${run}-${i}`, [{ topic: input, partition: 0 }, { topic: output, partition: 1 }])).toEqual(new Map());
    }
  });

  it('a second producer with the same transactional id fences the first (a zombie stops)', async () => {
    const id = `tx-fence-${run}`;
    const zombie = await TransactionalProducer.connect(bootstrap, id);
    await zombie.begin();
    await zombie.produce([{ topic: output, key: null, value: Buffer.from('zombie') }]);
    const successor = await TransactionalProducer.connect(bootstrap, id);
    try {
      const failure = await zombie.commit().then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(KafkaClientError);
      expect(transactionFault(failure as KafkaClientError)).toBe('fenced');
    } finally {
      await zombie.close();
      await successor.close();
    }
  });

  it('a transaction the coordinator expired (open past transaction.timeout.ms) is not taken for fencing: abort, then a new producer carries on', async () => {
    const id = `tx-expire-${run}`;
    const slow = await TransactionalProducer.connect({ ...bootstrap, 'transaction.timeout.ms': 2_000 }, id);
    try {
      await slow.begin();
      await slow.produce([{ topic: output, partition: 0, key: null, value: Buffer.from('expired') }]);
      // Once the record is on the broker, until the coordinator has aborted the transaction (its timeout,
      // then its next expiry scan): the last stable offset passes the record.
      let seen = false;
      for (;;) {
        const at = partitionKey(output, 0);
        const [stable, high] = await Promise.all([admin.endOffsets([{ topic: output, partition: 0 }], 'read_committed'), admin.endOffsets([{ topic: output, partition: 0 }], 'read_uncommitted')]);
        if (stable.get(at)! < high.get(at)!) seen = true;
        else if (seen) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const failure = await slow.commit().then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(KafkaClientError);
      expect(transactionFault(failure as KafkaClientError), String(failure)).toBe('abortable');
      expect(slow.expired).toBe(true);
      // What the runner's recovery does: abort fails (not as fenced), so it re-creates the producer.
      const abortFailure = await slow.abort().then(() => undefined, (error: unknown) => error);
      expect(transactionFault(abortFailure as KafkaClientError)).toBe('abortable');
    } finally {
      await slow.close();
    }
    const next = await TransactionalProducer.connect(bootstrap, id);
    try {
      await next.begin();
      await next.produce([{ topic: output, partition: 0, key: null, value: Buffer.from('after') }]);
      await next.commit();
    } finally {
      await next.close();
    }
  });
});

describe('partition reader (state restore) on the real broker', () => {
  it('reads a partition to its end, skipping aborted records', async () => {
    const { PartitionReader } = await import('../../../src/kafka/index.js');
    const topic = `restore.${run}`;
    await admin.ensureTopics([{ name: topic, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
    const producer = await TransactionalProducer.connect(bootstrap, `restore-${run}`);
    try {
      const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ topic, partition: 1, key: Buffer.from(`k${from + i}`), value: Buffer.from(`v${from + i}`) }));
      await producer.begin();
      await producer.produce(records(0, 50));
      await producer.commit();
      await producer.begin();
      await producer.produce(records(1000, 20));
      await producer.abort();
      await producer.begin();
      await producer.produce(records(50, 30));
      await producer.commit();
    } finally {
      await producer.close();
    }
    const reader = await PartitionReader.connect(bootstrap);
    const keys: string[] = [];
    try {
      for await (const batch of reader.readToEnd(topic, 1, { timeoutMs: 15_000 })) keys.push(...batch.map((m) => String(m.key)));
      let emptyPartition = 0;
      for await (const batch of reader.readToEnd(topic, 0, { timeoutMs: 15_000 })) emptyPartition += batch.length;
      expect(emptyPartition).toBe(0);
    } finally {
      await reader.close();
      await admin.deleteTopics([topic]).catch(() => {});
    }
    expect(keys).toEqual(Array.from({ length: 80 }, (_, i) => `k${i}`));
  });
});

describe('partition reader behind an open (zombie) transaction', () => {
  // Not up to the last stable offset: records committed after an open transaction would be missed
  // (see restore-open-transaction.test.ts). It waits for the transaction to end and skips its records.
  it('waits for the open transaction to end, then returns the committed records only', async () => {
    const { PartitionReader } = await import('../../../src/kafka/index.js');
    const topic = `zombie.${run}`;
    await admin.ensureTopics([{ name: topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    const committed = await TransactionalProducer.connect(bootstrap, `zombie-ok-${run}`);
    const zombie = await TransactionalProducer.connect(bootstrap, `zombie-${run}`);
    try {
      await committed.begin();
      await committed.produce([{ topic, partition: 0, key: Buffer.from('a'), value: Buffer.from('1') }]);
      await committed.commit();
      await zombie.begin();
      await zombie.produce([{ topic, partition: 0, key: Buffer.from('b'), value: Buffer.from('never committed') }]);
      // Let the open transaction's record reach the log before reading.
      await new Promise((r) => setTimeout(r, 1_000));
      const reader = await PartitionReader.connect(bootstrap);
      const keys: string[] = [];
      const aborted = new Promise((r) => setTimeout(r, 1_000)).then(() => zombie.abort());
      try {
        for await (const batch of reader.readToEnd(topic, 0, { timeoutMs: 5_000 })) keys.push(...batch.map((m) => String(m.key)));
      } finally {
        await reader.close();
      }
      await aborted;
      expect(keys).toEqual(['a']);
    } finally {
      await zombie.abort().catch(() => {});
      await zombie.close();
      await committed.close();
      await admin.deleteTopics([topic]).catch(() => {});
    }
  });
});
