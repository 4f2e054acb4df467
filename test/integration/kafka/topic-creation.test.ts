import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const created: string[] = [];

afterAll(async () => {
  await admin.deleteTopics(created).catch(() => {});
  admin.close();
});

describe('KafkaAdmin.ensureTopics', () => {
  // CI once failed with "listing the end offset of <topic>[0]: Broker: Unknown topic or partition"
  // right after creating the topic; on a busy broker "Not leader for partition" is as common.
  it('returns only once every partition of a new topic has a leader that answers: listing end offsets at once succeeds', async () => {
    for (let i = 0; i < 8; i++) {
      const name = `created.${run}.${i}`;
      created.push(name);
      await admin.ensureTopics([{ name, partitions: 3 }]);
      const ends = await admin.endOffsets([0, 1, 2].map((partition) => ({ topic: name, partition })), 'read_uncommitted');
      expect([...ends.values()]).toEqual([0n, 0n, 0n]);
    }
  });

  it('an existing topic is left as it is and passes at once; a different partition count is still refused', async () => {
    const name = `created.${run}.existing`;
    created.push(name);
    await admin.ensureTopics([{ name, partitions: 2 }]);
    await admin.ensureTopics([{ name, partitions: 2 }]);
    expect(await admin.partitionCounts([name])).toEqual(new Map([[name, 2]]));
    await expect(admin.ensureTopics([{ name, partitions: 4 }])).rejects.toThrow(`topic ${name} exists with 2 partitions but 4 are required`);
  });
});
