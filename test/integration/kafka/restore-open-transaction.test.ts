import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, kafkaStreamTransport, TransactionalProducer } from '../../../src/kafka/index.js';
import { partitionKey } from '../../../src/partition-key.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const table = `restore.open.${run}`;
let admin: KafkaAdmin;

beforeAll(async () => {
  admin = new KafkaAdmin(bootstrap);
  await admin.ensureTopics([{ name: table, partitions: 1 }]);
});

afterAll(async () => {
  await admin.deleteTopics([table]).catch(() => {});
  admin.close();
});

const record = (value: string) => ({ topic: table, partition: 0, key: Buffer.from('k'), value: Buffer.from(value) });

async function untilEnd(isolation: 'read_committed' | 'read_uncommitted', atLeast: bigint): Promise<void> {
  for (;;) {
    const end = (await admin.endOffsets([{ topic: table, partition: 0 }], isolation)).get(partitionKey(table, 0)) ?? 0n;
    if (end >= atLeast) return;
    await sleep(50);
  }
}

describe('restoring a changelog partition behind a crashed writer’s open transaction', () => {
  // Issue 17 item 2. A writer killed mid-transaction leaves it open until transaction.timeout.ms; its
  // successor (another transactional id) commits table updates after it, and commits the input offsets
  // they cover. A restore that stops at the last stable offset — the dead writer's first record — loses
  // those committed updates while the offsets say they were applied: events vanish from the aggregate.
  it('returns every committed record, including those committed after the open transaction, once it ends', async () => {
    const transport = kafkaStreamTransport(bootstrap);
    const before = await TransactionalProducer.connect(bootstrap, `restore-before-${run}`);
    const dead = await TransactionalProducer.connect(bootstrap, `restore-dead-${run}`);
    const successor = await TransactionalProducer.connect(bootstrap, `restore-successor-${run}`);
    try {
      await before.begin();
      await before.produce([record('committed-before')]);
      await before.commit();
      await untilEnd('read_committed', 2n);

      // The "crashed" writer: its transaction stays open (records on the broker, no marker).
      await dead.begin();
      await dead.produce([record('open-then-aborted')]);
      await untilEnd('read_uncommitted', 3n);

      await successor.begin();
      await successor.produce([record('committed-after')]);
      await successor.commit();
      await untilEnd('read_uncommitted', 5n);

      const restored = transport.readPartition(table, 0);
      // The open transaction ends later (what a fencing successor or the coordinator's timeout does).
      await sleep(1_000);
      await dead.abort();
      const values = (await restored).map((r) => String(r.value));
      expect(values).toEqual(['committed-before', 'committed-after']);
    } finally {
      await Promise.all([before.close(), dead.close(), successor.close()]);
      await transport.close();
    }
  });
});
