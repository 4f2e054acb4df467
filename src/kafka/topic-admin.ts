import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient, CODES, type IAdminClient, type LibrdKafkaError, type TopicDescription } from './rdkafka.js';
import { clusterBrokers } from './cluster-brokers.js';
import { describeTopicConfigEntries, type TopicConfigEntry } from './describe-topic-configs.js';
import { KafkaAdmin } from './kafka-admin.js';
import type { KafkaProperties } from './kafka-config.js';
import { KafkaClientError, toKafkaError } from './kafka-error.js';
import { replicationFromEnv, topicReplication, type ReplicationPolicy } from './topic-replication.js';
import { partitionKey } from '../partition-key.js';

/**
 * A topic to create: `replicationFactor` undefined takes Sluice's default
 * (min(3, live brokers), see `topicReplication`); `config` holds topic-level
 * settings such as `cleanup.policy`.
 *
 * @example
 * ```ts
 * const topic: NewTopic = { name: 'orders.state', partitions: 3, config: { 'cleanup.policy': 'compact' } };
 * ```
 */
export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * What {@link TopicAdmin.create} did: `created` false when the topic existed already (with `ifNotExists`).
 *
 * @example
 * ```ts
 * await topics.create({ name: 'orders', partitions: 6 }, { ifNotExists: true });
 * // { name: 'orders', created: false, partitions: 3, replicationFactor: 1, config: {} } (it had 3)
 * ```
 */
export interface CreatedTopic {
  readonly name: string;
  readonly created: boolean;
  /** Partitions the topic has now (the existing topic's own count when it was not created). */
  readonly partitions: number;
  /** Replicas per partition asked for (the existing topic's own when it was not created). */
  readonly replicationFactor: number;
  /** The configs the topic was created with (empty when it was not created). */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * One partition as `describe` sees it; broker ids, offsets as numbers.
 *
 * @example
 * ```ts
 * const p: PartitionDetails = { partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1], startOffset: 0, endOffset: 5 };
 * ```
 */
export interface PartitionDetails {
  readonly partition: number;
  readonly leader: number | null;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The first offset still in the log (0 until retention or deleteRecords removes records). */
  readonly startOffset: number;
  /** The high watermark: the offset the next record will get. */
  readonly endOffset: number;
}

/**
 * A topic's partitions and configs, each config with its source (`'topic'`
 * for the topic's own settings); `configs` undefined when they cannot be read
 * (SSL/SASL, see `describeTopicConfigs`).
 *
 * @example
 * ```ts
 * (await topics.describe('orders.state')).configs?.get('cleanup.policy'); // { value: 'compact', source: 'topic' }
 * ```
 */
export interface TopicDetails {
  readonly name: string;
  readonly partitions: readonly PartitionDetails[];
  readonly configs: ReadonlyMap<string, TopicConfigEntry> | undefined;
}

/**
 * A request about a topic that cannot be done as asked: the topic exists
 * (create) or does not (describe, delete), or the request is `invalid` (its
 * name, partition count, replication factor or a config refused). `message`
 * says what is wrong and what to do.
 *
 * @example
 * ```ts
 * await topics.describe('nope').catch((e) => e instanceof TopicRequestError && e.kind); // 'missing'
 * ```
 */
export class TopicRequestError extends Error {
  override readonly name = 'TopicRequestError';
  constructor(message: string, readonly topic: string, readonly kind: 'exists' | 'missing' | 'invalid') {
    super(message);
  }
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME_LENGTH = 249;

/**
 * Admin operations on single topics as a user asks for them (`sluice topics`):
 * unlike {@link KafkaAdmin.ensureTopics}, creating a topic that exists and
 * deleting or describing one that does not are errors that say so.
 *
 * @example
 * ```ts
 * const topics = new TopicAdmin({ 'bootstrap.servers': '127.0.0.1:9092' });
 * await topics.create({ name: 'orders', partitions: 3, config: { 'cleanup.policy': 'compact' } });
 * // → { name: 'orders', created: true, partitions: 3, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } }
 * (await topics.describe('orders')).partitions[0]; // { partition: 0, leader: 1, replicas: [1], isr: [1], startOffset: 0, endOffset: 0 }
 * topics.close();
 * ```
 */
export class TopicAdmin {
  readonly #client: IAdminClient;
  readonly #admin: KafkaAdmin;
  readonly #properties: KafkaProperties;
  readonly #replication: ReplicationPolicy;
  readonly #timeoutMs: number;

  constructor(properties: KafkaProperties, options: { timeoutMs?: number; replication?: ReplicationPolicy } = {}) {
    this.#properties = properties;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#replication = options.replication ?? replicationFromEnv(process.env);
    this.#admin = new KafkaAdmin(properties, { timeoutMs: this.#timeoutMs, replication: this.#replication });
    this.#client = AdminClient.create({ ...properties, log_level: 3 });
  }

  /**
   * Creates a topic and waits until every partition has a leader that answers.
   * Without its own replication factor it gets Sluice's default; either way,
   * 3 or more replicas come with `min.insync.replicas=2` unless `config` sets
   * it (see `topicReplication`). An existing topic is a {@link TopicRequestError}
   * unless `ifNotExists`, which leaves it as it is.
   */
  async create(topic: NewTopic, options: { ifNotExists?: boolean } = {}): Promise<CreatedTopic> {
    checkTopicName(topic.name);
    if (!Number.isInteger(topic.partitions) || topic.partitions < 1) {
      throw new TopicRequestError(`topic ${topic.name}: partitions must be a whole number ≥ 1, got ${topic.partitions}`, topic.name, 'invalid');
    }
    const replication =
      topic.replicationFactor === undefined
        ? await this.#admin.defaultReplication()
        : topicReplication({ ...this.#replication, factor: topic.replicationFactor }, topic.replicationFactor);
    const config = { ...replication.config, ...(topic.config ?? {}) };
    const error = await new Promise<LibrdKafkaError | undefined>((resolvePromise) =>
      this.#client.createTopic(
        { topic: topic.name, num_partitions: topic.partitions, replication_factor: replication.factor, config },
        this.#timeoutMs,
        (failure: LibrdKafkaError) => resolvePromise(failure ?? undefined),
      ),
    );
    if (error?.code === CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) {
      const existing = await this.#descriptions([topic.name]);
      const partitions = existing[0]?.partitions ?? [];
      if (options.ifNotExists) {
        return { name: topic.name, created: false, partitions: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0, config: {} };
      }
      throw new TopicRequestError(
        `topic ${topic.name} exists already (${partitions.length} partition${partitions.length === 1 ? '' : 's'}); ` +
          `pass --if-not-exists to accept it as it is, or delete it first (sluice topics delete ${topic.name} --yes)`,
        topic.name,
        'exists',
      );
    }
    if (error) throw await this.#explainCreateFailure(error, topic.name, replication.factor);
    await this.#admin.awaitTopicsReady([topic.name]);
    return { name: topic.name, created: true, partitions: topic.partitions, replicationFactor: replication.factor, config };
  }

  /** Every topic's name, sorted; internal ones (`__consumer_offsets`, `__transaction_state`…) only with `internal`. */
  async list(options: { internal?: boolean } = {}): Promise<string[]> {
    const names = await this.#admin.listTopics();
    return names.filter((n) => options.internal === true || !n.startsWith('__')).sort();
  }

  /** Partitions (leader, replicas, in-sync replicas, start and end offsets) and configs of one topic. */
  async describe(name: string): Promise<TopicDetails> {
    const [description] = await this.#descriptions([name]);
    if (description === undefined) throw missingTopic(name);
    const partitions = description.partitions.map((p) => ({ topic: name, partition: p.partition }));
    const [starts, ends, configs] = await Promise.all([
      this.#offsets(partitions, -2),
      this.#admin.endOffsets(partitions, 'read_uncommitted'),
      describeTopicConfigEntries(this.#properties, [name], undefined, this.#timeoutMs),
    ]);
    return {
      name,
      partitions: description.partitions
        .map((p) => ({
          partition: p.partition,
          leader: p.leader?.id ?? null,
          replicas: p.replicas.map((r) => r.id),
          isr: p.isr.map((r) => r.id),
          startOffset: Number(starts.get(p.partition) ?? 0n),
          endOffset: Number(ends.get(partitionKey(name, p.partition)) ?? 0n),
        }))
        .sort((a, b) => a.partition - b.partition),
      configs: configs === undefined ? undefined : (configs.get(name) ?? new Map()),
    };
  }

  /** Partition count of a topic, or `undefined` when it does not exist. */
  async partitionCount(name: string): Promise<number | undefined> {
    return (await this.#admin.partitionCounts([name])).get(name);
  }

  /**
   * The first offset (`'start'`) or the end offset of each partition: under
   * `read_committed` the last stable offset, else the high watermark.
   */
  async offsets(topic: string, partitions: readonly number[], which: 'start' | 'end', isolation: 'read_committed' | 'read_uncommitted'): Promise<Map<number, number>> {
    const list = partitions.map((partition) => ({ topic, partition }));
    if (which === 'start') return new Map([...(await this.#offsets(list, -2))].map(([p, o]) => [p, Number(o)]));
    const ends = await this.#admin.endOffsets(list, isolation);
    return new Map(partitions.map((p) => [p, Number(ends.get(partitionKey(topic, p)) ?? 0n)]));
  }

  /** Deletes a topic and waits until the metadata no longer lists it; a missing topic is a {@link TopicRequestError}. */
  async delete(name: string): Promise<void> {
    if ((await this.#descriptions([name])).length === 0) throw missingTopic(name);
    await new Promise<void>((resolvePromise, reject) => {
      this.#client.deleteTopic(name, this.#timeoutMs, (error: LibrdKafkaError) => {
        if (!error) resolvePromise();
        else if (error.code === CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) reject(missingTopic(name));
        else reject(toKafkaError(error, `deleting topic ${name}`));
      });
    });
    const deadline = Date.now() + this.#timeoutMs;
    while ((await this.#descriptions([name])).length > 0) {
      if (Date.now() > deadline) throw new Error(`topic ${name} was deleted but is still listed after ${Math.round(this.#timeoutMs / 1000)} s; check the broker's log`);
      await sleep(200);
    }
  }

  close(): void {
    this.#client.disconnect();
    this.#admin.close();
  }

  /** Descriptions of the named topics that exist. */
  #descriptions(names: readonly string[]): Promise<TopicDescription[]> {
    return new Promise((resolvePromise, reject) => {
      this.#client.describeTopics([...names], { timeout: this.#timeoutMs }, (error, result) => {
        if (error && error.code !== CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) return reject(toKafkaError(error, `describing ${names.join(', ')}`));
        resolvePromise((result ?? []).filter((d) => !d.error));
      });
    });
  }

  /** Offsets by partition at a listOffsets spec: -2 the earliest, -1 the latest. */
  #offsets(partitions: readonly { topic: string; partition: number }[], timestamp: number): Promise<Map<number, bigint>> {
    const specs = partitions.map((p) => ({ ...p, offset: { timestamp } }));
    return new Promise((resolvePromise, reject) => {
      this.#client.listOffsets(specs, { timeout: this.#timeoutMs }, (error, result) => {
        if (error) return reject(toKafkaError(error, 'listing offsets'));
        const offsets = new Map<number, bigint>();
        for (const r of result) {
          if (r.error) return reject(toKafkaError(r.error, `listing the offsets of ${r.topic}[${r.partition}]`));
          offsets.set(r.partition, BigInt(r.offset));
        }
        resolvePromise(offsets);
      });
    });
  }

  async #explainCreateFailure(error: LibrdKafkaError, name: string, factor: number): Promise<KafkaClientError | TopicRequestError> {
    const base = toKafkaError(error, `creating topic ${name}`);
    if (error.code === CODES.ERRORS.ERR_INVALID_REPLICATION_FACTOR) {
      const brokers = await clusterBrokers(this.#properties, this.#timeoutMs).then((b) => b.length, () => undefined);
      return new TopicRequestError(
        `${base.message} — replication factor ${factor} needs ${factor} brokers` +
          (brokers === undefined ? '' : ` and the cluster has ${brokers}`) +
          `; pass --replication-factor ${Math.max(1, Math.min(factor, brokers ?? 1))} (or set SLUICE_TOPIC_REPLICATION_FACTOR)`,
        name,
        'invalid',
      );
    }
    if (error.code === CODES.ERRORS.ERR_INVALID_CONFIG || error.code === CODES.ERRORS.ERR_INVALID_PARTITIONS) {
      return new TopicRequestError(`${base.message} — check the --config names and values (kafka.apache.org/documentation/#topicconfigs)`, name, 'invalid');
    }
    return base;
  }
}

/** Kafka's own rule for topic names, checked before asking the broker so the message can say what is wrong. */
function checkTopicName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.length > MAX_NAME_LENGTH || !LEGAL_NAME.test(name)) {
    throw new TopicRequestError(
      `'${name}' is not a legal topic name: use 1-${MAX_NAME_LENGTH} characters from a-z, A-Z, 0-9, '.', '_' and '-' (not '.' or '..' alone)`,
      name,
      'invalid',
    );
  }
}

function missingTopic(name: string): TopicRequestError {
  return new TopicRequestError(`topic ${name} does not exist (sluice topics list shows the topics there are)`, name, 'missing');
}
