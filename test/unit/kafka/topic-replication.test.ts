import { describe, expect, it } from 'vitest';
import { TransactionalProducer } from '../../../src/kafka/index.js';
import { replicationFromEnv, topicReplication } from '../../../src/kafka/topic-replication.js';

describe('topicReplication', () => {
  it('replicates min(3, live brokers) times, with min.insync.replicas=2 from 3 replicas on', () => {
    expect(topicReplication({}, 1)).toEqual({ factor: 1, config: {} });
    expect(topicReplication({}, 2)).toEqual({ factor: 2, config: {} });
    expect(topicReplication({}, 3)).toEqual({ factor: 3, config: { 'min.insync.replicas': '2' } });
    expect(topicReplication({}, 7)).toEqual({ factor: 3, config: { 'min.insync.replicas': '2' } });
  });
  it('lets the policy override the factor and the min ISR', () => {
    expect(topicReplication({ factor: 1 }, 3)).toEqual({ factor: 1, config: {} });
    expect(topicReplication({ factor: 5 }, 5)).toEqual({ factor: 5, config: { 'min.insync.replicas': '2' } });
    expect(topicReplication({ minInsyncReplicas: 3 }, 3)).toEqual({ factor: 3, config: { 'min.insync.replicas': '3' } });
    expect(topicReplication({ factor: 2, minInsyncReplicas: 2 }, 3)).toEqual({ factor: 2, config: { 'min.insync.replicas': '2' } });
  });
  it('refuses a min ISR above the factor, naming the variables', () => {
    expect(() => topicReplication({ minInsyncReplicas: 2 }, 1)).toThrow(/min.insync.replicas 2 is more than the replication factor 1.*SLUICE_TOPIC_MIN_INSYNC_REPLICAS/);
  });
});

describe('replicationFromEnv', () => {
  it('reads SLUICE_TOPIC_REPLICATION_FACTOR and SLUICE_TOPIC_MIN_INSYNC_REPLICAS', () => {
    expect(replicationFromEnv({})).toEqual({});
    expect(replicationFromEnv({ SLUICE_TOPIC_REPLICATION_FACTOR: '3', SLUICE_TOPIC_MIN_INSYNC_REPLICAS: '2' })).toEqual({ factor: 3, minInsyncReplicas: 2 });
    expect(replicationFromEnv({ SLUICE_TOPIC_REPLICATION_FACTOR: '' })).toEqual({});
  });
  it('names a bad variable and its value', () => {
    expect(() => replicationFromEnv({ SLUICE_TOPIC_REPLICATION_FACTOR: 'three' })).toThrow(/SLUICE_TOPIC_REPLICATION_FACTOR must be a whole number of at least 1, got 'three'/);
    expect(() => replicationFromEnv({ SLUICE_TOPIC_MIN_INSYNC_REPLICAS: '0' })).toThrow(/SLUICE_TOPIC_MIN_INSYNC_REPLICAS/);
  });
});

describe("Sluice's transactional producer", () => {
  // min.insync.replicas only protects a write acknowledged by every in-sync replica (acks=all). The
  // transactional producer is idempotent whatever its properties say, and librdkafka refuses an
  // idempotent producer with any other acks — so no setting can make Sluice's checkpoints weaker.
  it('writes with acks=all: a configuration asking for acks=1 is refused before connecting', async () => {
    await expect(TransactionalProducer.connect({ 'bootstrap.servers': '127.0.0.1:1', acks: 1 }, 'acks-check', { timeoutMs: 2_000 })).rejects.toThrow(
      /acks.*must be set to .all. when .enable.idempotence. is true/,
    );
    await expect(
      TransactionalProducer.connect({ 'bootstrap.servers': '127.0.0.1:1', 'enable.idempotence': false, acks: 0 }, 'acks-check', { timeoutMs: 2_000 }),
    ).rejects.toThrow(/acks.*must be set to .all./);
  });
});
