import { AdminClient, CODES, KafkaConsumer, type IAdminClient, type KafkaConsumerClient, type LibrdKafkaError, type TopicDescription, type TopicPartition } from './rdkafka.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClientError, toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';
import { describeTopicConfigs } from './describe-topic-configs.js';
import { clusterBrokers } from './cluster-brokers.js';
import { replicationFromEnv, topicReplication, type ReplicationPolicy } from './topic-replication.js';
import { errorText } from '../error-text.js';
import { partitionKey } from '../partition-key.js';

/** Group-coordinator errors that pass once the coordinator has moved or loaded. */
const COORDINATOR_MOVING: ReadonlySet<number> = new Set([
  CODES.ERRORS.ERR_NOT_COORDINATOR,
  CODES.ERRORS.ERR_COORDINATOR_LOAD_IN_PROGRESS,
  CODES.ERRORS.ERR_COORDINATOR_NOT_AVAILABLE,
]);

/** A topic Sluice needs, with the partition count and configs it must have. */
export interface TopicRequirement {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * Admin operations behind a small promise API.
 *
 * @example
 * ```ts
 * const admin = new KafkaAdmin({ 'bootstrap.servers': '127.0.0.1:9092' });
 * await admin.ensureTopics([{ name: 'bus.telemetry', partitions: 6 }]);
 * admin.close();
 * ```
 */
export class KafkaAdmin {
  readonly #client: IAdminClient;
  readonly #properties: KafkaProperties;
  readonly #timeoutMs: number;
  readonly #replication: ReplicationPolicy;
  /** Per group: a consumer client of it that never joins, for its committed offsets (see committedOffsets). */
  readonly #offsetReaders = new Map<string, Promise<KafkaConsumerClient>>();

  /**
   * `replication` decides the replication factor and `min.insync.replicas` of
   * the topics {@link KafkaAdmin.ensureTopics} creates; by default it comes
   * from `SLUICE_TOPIC_REPLICATION_FACTOR` / `SLUICE_TOPIC_MIN_INSYNC_REPLICAS`
   * (see `replicationFromEnv`), else from the cluster's size.
   */
  constructor(properties: KafkaProperties, options: { timeoutMs?: number; replication?: ReplicationPolicy } = {}) {
    this.#replication = options.replication ?? replicationFromEnv(process.env);
    this.#client = AdminClient.create({
      // Offset listings go to each partition's leader as this client's metadata cache knows it, and an
      // admin client refreshes that cache only every topic.metadata.refresh.interval.ms (5 min by
      // default): after a broker died, listings of the partitions it led timed out for minutes, long
      // after the cluster had elected new leaders (restores and lag wait on them). 5 s bounds that.
      'topic.metadata.refresh.interval.ms': 5_000,
      ...properties,
      log_level: 3,
    });
    this.#properties = properties;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Creates missing topics; an existing topic with a different partition
   * count is an error naming the topic, both counts and the fix.
   *
   * A topic without its own replication factor gets min(3, live brokers)
   * replicas, read from the cluster's metadata now, and
   * `min.insync.replicas=2` when that is 3 or more (unless its config sets
   * it) — see `topicReplication`; the constructor's policy overrides both.
   * Existing topics are left as they are.
   *
   * Returns only once every partition of every topic has a leader that
   * answers an offset request (see {@link KafkaAdmin.awaitTopicsReady}): a
   * broker acknowledges a creation before its partitions are led, and a read
   * right after would fail with "Unknown topic or partition" or "Not leader".
   */
  async ensureTopics(topics: readonly TopicRequirement[]): Promise<void> {
    const needsDefault = topics.some((t) => t.replicationFactor === undefined);
    const replication = needsDefault ? await this.defaultReplication() : undefined;
    for (const topic of topics) {
      await new Promise<void>((resolvePromise, reject) => {
        this.#client.createTopic(
          {
            topic: topic.name,
            num_partitions: topic.partitions,
            replication_factor: topic.replicationFactor ?? replication!.factor,
            config: { ...(topic.replicationFactor === undefined ? replication!.config : {}), ...(topic.config ?? {}) },
          },
          this.#timeoutMs,
          (error: LibrdKafkaError) => {
            if (!error || error.code === CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) resolvePromise();
            else reject(toKafkaError(error, `creating topic ${topic.name}`));
          },
        );
      });
    }
    const described = await this.awaitTopicsReady(topics.map((t) => t.name));
    for (const topic of topics) {
      const actual = described.get(topic.name);
      if (actual !== undefined && actual !== topic.partitions) {
        throw new Error(
          `topic ${topic.name} exists with ${actual} partitions but ${topic.partitions} are required; ` +
            `delete it (kafka-topics --delete --topic ${topic.name}) or change the topology's partition count to ${actual}`,
        );
      }
    }
  }

  /**
   * The replication factor and configs a topic created now gets when it
   * names none: the policy's, else min(3, live brokers) replicas and
   * `min.insync.replicas=2` from 3 replicas on.
   *
   * @example
   * ```ts
   * await admin.defaultReplication(); // { factor: 3, config: { 'min.insync.replicas': '2' } } on a 3-broker cluster
   * ```
   */
  async defaultReplication(): Promise<{ factor: number; config: Record<string, string> }> {
    if (this.#replication.factor !== undefined) return topicReplication(this.#replication, this.#replication.factor);
    const brokers = await clusterBrokers(this.#properties, this.#timeoutMs);
    return topicReplication(this.#replication, brokers.length);
  }

  /**
   * Waits until every named topic is visible in the cluster's metadata with a
   * leader for each partition, and each leader answers an offset request for
   * it; returns the partition counts. Bounded by the admin timeout: a topic
   * that never gets there is an error naming it and what was last seen.
   *
   * @example
   * ```ts
   * await admin.awaitTopicsReady(['bus.telemetry']); // Map { 'bus.telemetry' => 6 }
   * ```
   */
  async awaitTopicsReady(names: readonly string[]): Promise<Map<string, number>> {
    const deadline = Date.now() + this.#timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const look = await this.#lookReady(names).catch((error: unknown) => ({ counts: undefined, waiting: errorText(error) }));
      if (look.counts !== undefined) return look.counts;
      if (Date.now() > deadline) {
        throw new Error(
          `topic(s) ${names.join(', ')} were not ready within ${Math.round(this.#timeoutMs / 1000)} s of being created (${look.waiting}); ` +
            'the broker may be overloaded or have fewer brokers than the replication factor: check its log and `sluice stack status`',
        );
      }
      await sleep(Math.min(500, 25 * 2 ** attempt));
    }
  }

  /** Partition counts when every topic is led everywhere, else what is still missing. */
  async #lookReady(names: readonly string[]): Promise<{ counts: Map<string, number>; waiting?: undefined } | { counts: undefined; waiting: string }> {
    const descriptions = await new Promise<TopicDescription[]>((resolvePromise, reject) => {
      this.#client.describeTopics([...names], { timeout: this.#timeoutMs }, (error, result) =>
        error ? reject(toKafkaError(error, `describing topics ${names.join(', ')}`)) : resolvePromise(result),
      );
    });
    const counts = new Map<string, number>();
    for (const name of names) {
      const description = descriptions.find((d) => d.name === name);
      if (description === undefined || description.error) return { counts: undefined, waiting: `${name}: ${description?.error?.message ?? 'not in the metadata yet'}` };
      const leaderless = description.partitions.filter((p) => p.leader === null || p.leader === undefined);
      if (description.partitions.length === 0 || leaderless.length > 0) {
        return { counts: undefined, waiting: `${name}: partition(s) ${leaderless.map((p) => p.partition).join(', ') || '(none yet)'} without a leader` };
      }
      counts.set(name, description.partitions.length);
    }
    // A leader in the metadata may not serve its partition yet: the offset request is what a reader does first.
    await this.endOffsets(
      [...counts].flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => ({ topic, partition }))),
      'read_uncommitted',
    );
    return { counts };
  }

  /**
   * Each named topic's `max.message.bytes` — its own, else the broker's
   * default — the most bytes a record (batch) written to it may take. Absent
   * topics are left out; `undefined` when the configs cannot be read over
   * this connection (only PLAINTEXT is supported, see `describeTopicConfigs`).
   */
  async maxMessageBytes(names: readonly string[]): Promise<Map<string, number> | undefined> {
    const configs = await describeTopicConfigs(this.#properties, names, ['max.message.bytes'], this.#timeoutMs);
    if (configs === undefined) return undefined;
    const limits = new Map<string, number>();
    for (const [topic, values] of configs) {
      const limit = Number(values.get('max.message.bytes'));
      if (Number.isFinite(limit) && limit > 0) limits.set(topic, limit);
    }
    return limits;
  }

  /** Partition counts of the named topics (absent topics are left out). */
  partitionCounts(names: readonly string[]): Promise<Map<string, number>> {
    return new Promise((resolvePromise, reject) => {
      this.#client.describeTopics([...names], { timeout: this.#timeoutMs }, (error, result) => {
        if (error) return reject(toKafkaError(error, `describing topics ${names.join(', ')}`));
        const counts = new Map<string, number>();
        for (const description of result) if (!description.error) counts.set(description.name, description.partitions.length);
        resolvePromise(counts);
      });
    });
  }

  /** Deletes every record below the given offsets (a repartition topic's consumed prefix). */
  deleteRecordsBefore(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      this.#client.deleteRecords(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })), { timeout: this.#timeoutMs }, (error) =>
        error ? reject(toKafkaError(error, 'deleting consumed records')) : resolvePromise(),
      );
    });
  }

  /** Names of every topic in the cluster (internal ones included). */
  listTopics(): Promise<string[]> {
    return new Promise((resolvePromise, reject) => {
      this.#client.listTopics({ timeout: this.#timeoutMs }, (error, topics) =>
        error ? reject(toKafkaError(error, 'listing topics')) : resolvePromise(topics),
      );
    });
  }

  /** Deletes topics; missing ones are ignored. */
  async deleteTopics(names: readonly string[]): Promise<void> {
    for (const name of names) {
      await new Promise<void>((resolvePromise, reject) => {
        this.#client.deleteTopic(name, this.#timeoutMs, (error: LibrdKafkaError) => {
          if (!error || error.code === CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) resolvePromise();
          else reject(toKafkaError(error, `deleting topic ${name}`));
        });
      });
    }
  }

  /**
   * Deletes consumer groups; missing ones are ignored (a group with members is an error). A group
   * coordinator that is moving or still loading (right after a broker start) is retried for up to
   * the admin timeout.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const deadline = Date.now() + this.#timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#deleteGroupsOnce(groupIds);
      } catch (error) {
        const code = error instanceof KafkaClientError ? error.code : undefined;
        if (!COORDINATOR_MOVING.has(code ?? 0) || Date.now() > deadline) throw error;
        await sleep(Math.min(1_000, 100 * 2 ** attempt));
      }
    }
  }

  #deleteGroupsOnce(groupIds: readonly string[]): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      this.#client.deleteGroups([...groupIds], { timeout: this.#timeoutMs }, (error, result) => {
        if (error) return reject(toKafkaError(error, `deleting groups ${groupIds.join(', ')}`));
        for (const r of result ?? []) {
          if (r.errorCode !== undefined && r.errorCode !== 0 && r.errorCode !== CODES.ERRORS.ERR_GROUP_ID_NOT_FOUND) {
            return reject(toKafkaError(r.error!, `deleting group ${r.groupId}`));
          }
        }
        resolvePromise();
      });
    });
  }

  /**
   * The end offset of each partition: under `read_committed` (default) the last
   * stable offset — records of an open transaction are not counted — else the
   * high watermark. Keyed by {@link partitionKey}.
   */
  endOffsets(partitions: readonly TopicPartition[], isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Map<string, bigint>> {
    // The binding's OffsetSpec.LATEST is `{ timestamp: -1 }`; its IsolationLevel enum is only a type.
    const specs = partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: { timestamp: -1 } }));
    const isolationLevel = isolation === 'read_committed' ? 1 : 0;
    return new Promise((resolvePromise, reject) => {
      this.#client.listOffsets(specs, { timeout: this.#timeoutMs, isolationLevel }, (error, result) => {
        if (error) return reject(toKafkaError(error, 'listing end offsets'));
        const offsets = new Map<string, bigint>();
        for (const r of result) {
          if (r.error) return reject(toKafkaError(r.error, `listing the end offset of ${r.topic}[${r.partition}]`));
          offsets.set(partitionKey(r.topic, r.partition), BigInt(r.offset));
        }
        resolvePromise(offsets);
      });
    });
  }

  /**
   * A consumer group's committed next offsets (only transaction-committed
   * ones), keyed by {@link partitionKey}; partitions without a commit are absent.
   *
   * Read by a consumer client of the group that never subscribes, so never
   * joins it: librdkafka's admin offset fetch dereferences a missing consumer
   * group and kills the process when the coordinator answers "not
   * coordinator", as it does for a group it has not loaded yet
   * (confluent-kafka-javascript#374). A consumer's fetch asks for stable
   * offsets (read_committed) and waits out an open transaction's commit.
   */
  async committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    const reader = await this.#offsetReader(groupId);
    const request = partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
    return new Promise((resolvePromise, reject) => {
      reader.committed(request, this.#timeoutMs, (error, result) => {
        if (error) return reject(toKafkaError(error, `listing the offsets of group ${groupId}`));
        const offsets = new Map<string, bigint>();
        for (const p of result) {
          const failed = (p as { error?: LibrdKafkaError }).error;
          if (failed) return reject(toKafkaError(failed, `listing the offset of group ${groupId} on ${p.topic}[${p.partition}]`));
          if (typeof p.offset === 'number' && p.offset >= 0) offsets.set(partitionKey(p.topic, p.partition), BigInt(p.offset));
        }
        resolvePromise(offsets);
      });
    });
  }

  #offsetReader(groupId: string): Promise<KafkaConsumerClient> {
    let reader = this.#offsetReaders.get(groupId);
    if (!reader) {
      const client: KafkaConsumerClient = new KafkaConsumer({
        ...this.#properties,
        'group.id': groupId,
        'isolation.level': 'read_committed',
        'enable.auto.commit': false,
        log_level: 3,
      });
      reader = new Promise<KafkaConsumerClient>((resolvePromise, reject) =>
        client.connect({ timeout: this.#timeoutMs }, (error) => (error ? reject(toKafkaError(error, `connecting a reader of group ${groupId}'s offsets`)) : resolvePromise(client))),
      );
      // A failed connection is not kept: the next call tries again.
      reader.catch(() => this.#offsetReaders.delete(groupId));
      this.#offsetReaders.set(groupId, reader);
    }
    return reader;
  }

  close(): void {
    this.#client.disconnect();
    for (const reader of this.#offsetReaders.values()) void reader.then((client) => client.disconnect(), () => undefined);
    this.#offsetReaders.clear();
  }
}
