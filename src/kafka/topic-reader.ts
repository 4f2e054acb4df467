import { CODES, KafkaConsumer, type CommitWithCallback, type KafkaConsumerClient, type Message } from './rdkafka.js';
import type { KafkaProperties } from './kafka-config.js';
import { KafkaClientError, toKafkaError } from './kafka-error.js';

/**
 * Options of {@link TopicReader.connect}.
 *
 * @example
 * ```ts
 * const options: TopicReaderOptions = { groupId: 'audit', isolation: 'read_uncommitted' };
 * ```
 */
export interface TopicReaderOptions {
  /** A consumer group whose committed offsets {@link TopicReader.committed} reads and {@link TopicReader.commit} moves; without it nothing is committed. */
  readonly groupId?: string;
  /** `read_committed` (default) hides records of open and aborted transactions. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  readonly connectTimeoutMs?: number;
}

/**
 * Reads the partitions of one topic from positions the caller chooses
 * (`assign`, never a group subscription: no rebalances, nothing moves to
 * another member), in batches — what `sluice consume` needs. With a group
 * id it can read and commit that group's offsets as a simple consumer;
 * the broker refuses such a commit while the group has live members.
 *
 * @example
 * ```ts
 * const reader = await TopicReader.connect({ 'bootstrap.servers': '127.0.0.1:9092' });
 * reader.assign('orders', [{ partition: 0, offset: 0 }]);
 * const batch = await reader.read(500, 200); // up to 500 messages, waiting ≤ 200 ms for the first
 * reader.positions('orders', [0]);            // Map { 0 => 500 }
 * await reader.close();
 * ```
 */
export class TopicReader {
  readonly #client: KafkaConsumerClient;
  readonly #groupId: string | undefined;

  private constructor(client: KafkaConsumerClient, groupId: string | undefined) {
    this.#client = client;
    this.#groupId = groupId;
    // Only the first message of a batch waits for the timeout (see BatchConsumer).
    (client as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  static connect(properties: KafkaProperties, options: TopicReaderOptions = {}): Promise<TopicReader> {
    const client = new KafkaConsumer({
      ...properties,
      // librdkafka wants a group id even for a consumer that only assigns; this one never commits to it.
      'group.id': options.groupId ?? `sluice-consume-${process.pid}-${Date.now()}`,
      'isolation.level': options.isolation ?? 'read_committed',
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      // A position past the end or below the start (records deleted meanwhile) restarts at the start.
      'auto.offset.reset': 'earliest',
      log_level: 3,
    });
    return new Promise((resolvePromise, reject) => {
      client.connect({ timeout: options.connectTimeoutMs ?? 30_000 }, (error) =>
        error ? reject(toKafkaError(error, 'connecting the consumer')) : resolvePromise(new TopicReader(client, options.groupId)),
      );
    });
  }

  /** Starts fetching the given partitions at the given offsets (replacing any earlier assignment). */
  assign(topic: string, positions: readonly { partition: number; offset: number }[]): void {
    this.#client.assign(positions.map(({ partition, offset }) => ({ topic, partition, offset })));
  }

  /** Up to `max` messages, waiting at most `timeoutMs` for the first. */
  read(max: number, timeoutMs: number): Promise<Message[]> {
    this.#client.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolvePromise, reject) => {
      this.#client.consume(max, (error, messages) => (error ? reject(toKafkaError(error, 'reading')) : resolvePromise(messages)));
    });
  }

  /**
   * The fetch position of each partition: the offset the next record read will
   * have, past transaction markers and aborted records already skipped; absent
   * for a partition nothing was fetched from yet.
   */
  positions(topic: string, partitions: readonly number[]): Map<number, number> {
    const positions = new Map<number, number>();
    for (const p of this.#client.position(partitions.map((partition) => ({ topic, partition })))) {
      if (typeof p.offset === 'number' && p.offset >= 0) positions.set(p.partition, p.offset);
    }
    return positions;
  }

  /** The group's committed next offsets; partitions without a commit are absent. */
  committed(topic: string, partitions: readonly number[], timeoutMs = 10_000): Promise<Map<number, number>> {
    this.#requireGroup('reading committed offsets');
    return new Promise((resolvePromise, reject) => {
      this.#client.committed(partitions.map((partition) => ({ topic, partition })), timeoutMs, (error, offsets) => {
        if (error) return reject(toKafkaError(error, `reading the committed offsets of group ${this.#groupId}`));
        const committed = new Map<number, number>();
        for (const o of offsets) if (typeof o.offset === 'number' && o.offset >= 0) committed.set(o.partition, o.offset);
        resolvePromise(committed);
      });
    });
  }

  /**
   * Commits next offsets for the group. A group with live members (a running
   * topology or consumer) refuses it: an error that names the group.
   */
  commit(topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
    this.#requireGroup('committing');
    if (offsets.size === 0) return Promise.resolve();
    const list = [...offsets].map(([partition, offset]) => ({ topic, partition, offset }));
    return new Promise((resolvePromise, reject) => {
      (this.#client as KafkaConsumerClient & CommitWithCallback).commitCb(list, (error) => {
        if (!error) return resolvePromise();
        const failure = toKafkaError(error, `committing the offsets of group ${this.#groupId}`);
        reject(inUse(failure) ? new Error(`${failure.message} — group ${this.#groupId} has live members (a running topology or consumer); stop them or use another --group`) : failure);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolvePromise) => this.#client.disconnect(() => resolvePromise()));
  }

  #requireGroup(doing: string): void {
    if (this.#groupId === undefined) throw new Error(`TopicReader: ${doing} needs a groupId`);
  }
}

function inUse(error: KafkaClientError): boolean {
  return error.code === CODES.ERRORS.ERR_UNKNOWN_MEMBER_ID || error.code === CODES.ERRORS.ERR_ILLEGAL_GENERATION || error.code === CODES.ERRORS.ERR_REBALANCE_IN_PROGRESS;
}
