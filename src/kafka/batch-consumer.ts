import { KafkaConsumer, type CommitWithCallback, type CooperativeRebalancing, type KafkaConsumerClient, type LibrdKafkaError, type Message, type TopicPartition, type TopicPartitionOffset } from './rdkafka.js';
import { toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';

/** A committed position; `offset` undefined when the group never committed one. */
export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | undefined;
  /** The metadata committed with it, if any. */
  readonly metadata?: string;
}

/**
 * A rebalance: the partitions gained or lost. For `revoked`, the group waits
 * until `done()` is called — call it once the work in hand for those
 * partitions is committed, so their next owner starts exactly where this one
 * stopped. For `assigned`, `done` has already been called.
 */
export interface RebalanceChange {
  readonly kind: 'assigned' | 'revoked';
  readonly partitions: readonly TopicPartition[];
  done(): void;
}

/** Called on a rebalance, see {@link RebalanceChange}. */
export type RebalanceListener = (change: RebalanceChange) => void;

/** Called when the consumer reaches the end of a partition; `offset` is the end offset (the next one to fetch). */
export type PartitionEndListener = (end: { readonly topic: string; readonly partition: number; readonly offset: number }) => void;

/**
 * A consumer-group member that polls whole batches (never one callback per
 * message), commits only what the caller says, and uses cooperative-sticky
 * assignment.
 *
 * @example
 * ```ts
 * const consumer = await BatchConsumer.connect({ 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'app' }, ['events']);
 * const batch = await consumer.poll(500, 1_000);
 * await consumer.commit([{ topic: 'events', partition: 0, offset: lastOffset + 1 }]);
 * await consumer.close();
 * ```
 */
export class BatchConsumer {
  readonly #client: KafkaConsumerClient;

  private constructor(client: KafkaConsumerClient) {
    this.#client = client;
    // The binding's default waits up to the timeout for EVERY message of a batch, so each poll that
    // empties the prefetched queue ended with a full idle timeout. Only the first message should wait.
    (client as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  /** The librdkafka handle, for the transactional producer's `sendOffsetsToTransaction` (src/kafka only). */
  get client(): KafkaConsumerClient {
    return this.#client;
  }

  /**
   * Connects and subscribes; `properties` must include `bootstrap.servers` and `group.id`.
   * `onPartitionEnd` turns on librdkafka's end-of-partition events (a poll reaching an end returns at once).
   */
  static connect(
    properties: KafkaProperties,
    topics: readonly string[],
    options: { onRebalance?: RebalanceListener; onPartitionEnd?: PartitionEndListener; connectTimeoutMs?: number } = {},
  ): Promise<BatchConsumer> {
    const client = new KafkaConsumer({
      'partition.assignment.strategy': 'cooperative-sticky',
      'auto.offset.reset': 'earliest',
      'isolation.level': 'read_committed',
      // A dead member's partitions move after this long; librdkafka heartbeats from its own thread,
      // so a busy event loop does not count against it (max.poll.interval.ms covers that).
      'session.timeout.ms': 15_000,
      'heartbeat.interval.ms': 3_000,
      // librdkafka prefetches up to 64 MB by default; 16 MB is still over half a second of input at
      // 100,000 events/s and keeps a process's memory to its state rather than its read-ahead.
      'queued.max.messages.kbytes': 16_384,
      // Once that queue is full librdkafka stops fetching for fetch.queue.backoff.ms, 1 s by default:
      // a consumer that empties the queue faster than that idles up to a second each time (a bare
      // consume loop on this path: ~108k → ~150k messages/s with 20 ms).
      'fetch.queue.backoff.ms': 20,
      // Four times librdkafka's 1 MB per partition per fetch: fewer, larger fetches cost less CPU for
      // the same records (bench-windowed, 2 M events: ~140k → ~150k events/s, ~10% less CPU);
      // fetch.max.bytes (50 MB) still bounds one response.
      'max.partition.fetch.bytes': 4_194_304,
      ...properties,
      // Reported before the poll that reached the end resolves (the binding emits it in message order).
      ...(options.onPartitionEnd ? { 'enable.partition.eof': true } : {}),
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      rebalance_cb: (error: LibrdKafkaError, partitions: TopicPartition[]) =>
        onRebalance(client as KafkaConsumerClient & CooperativeRebalancing, error, partitions, options.onRebalance),
    });
    const onEnd = options.onPartitionEnd;
    if (onEnd) client.on('partition.eof', ({ topic, partition, offset }) => onEnd({ topic, partition, offset }));
    return new Promise((resolvePromise, reject) => {
      client.connect({ timeout: options.connectTimeoutMs ?? 30_000 }, (error) => {
        if (error) return reject(toKafkaError(error, 'connecting the consumer'));
        client.subscribe([...topics]);
        resolvePromise(new BatchConsumer(client));
      });
    });
  }

  /** Up to `maxMessages` messages, waiting at most `timeoutMs` for the first. */
  poll(maxMessages: number, timeoutMs: number): Promise<Message[]> {
    this.#client.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolvePromise, reject) => {
      this.#client.consume(maxMessages, (error, messages) => {
        if (error) reject(toKafkaError(error, 'polling'));
        else resolvePromise(messages);
      });
    });
  }

  /**
   * Commits the given next offsets with the group coordinator; resolves once it answered. The
   * request runs on libuv's thread pool: a synchronous commit would stop this thread's event loop
   * for a round trip to the coordinator (4-44 ms measured), and with it every other client on it.
   */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      (this.#client as KafkaConsumerClient & CommitWithCallback).commitCb([...offsets], (error) => (error ? reject(toKafkaError(error, 'committing offsets')) : resolvePromise()));
    });
  }

  /** Stops fetching the partitions (bounded memory when downstream backs up); their positions are kept. */
  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.#client.pause(partitions.map(({ topic, partition }) => ({ topic, partition })));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.#client.resume(partitions.map(({ topic, partition }) => ({ topic, partition })));
  }

  /** Moves the fetch position of an assigned partition (rewind after an aborted transaction, or a sink's stored offset). */
  seek(position: TopicPartitionOffset, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      this.#client.seek(position, timeoutMs, (error) => (error ? reject(toKafkaError(error, `seeking ${position.topic}[${position.partition}]`)) : resolvePromise()));
    });
  }

  /** The group's committed next offsets; `offset` is undefined where nothing was committed. */
  committed(partitions: readonly TopicPartition[], timeoutMs = 10_000): Promise<CommittedOffset[]> {
    return new Promise((resolvePromise, reject) => {
      this.#client.committed([...partitions], timeoutMs, (error, offsets) =>
        error
          ? reject(toKafkaError(error, 'reading committed offsets'))
          : resolvePromise(
              offsets.map((o) => {
                const { topic, partition, offset } = o;
                // The binding returns the committed metadata on the same objects (absent when empty).
                const metadata = (o as { metadata?: unknown }).metadata;
                return { topic, partition, offset: typeof offset === 'number' && offset >= 0 ? offset : undefined, ...(typeof metadata === 'string' && metadata !== '' ? { metadata } : {}) };
              }),
            ),
      );
    });
  }

  /**
   * Records between the fetch position and the end of each partition, from
   * librdkafka's cached watermarks (no request); partitions not fetched yet are left out.
   */
  lag(partitions: readonly TopicPartition[]): { topic: string; partition: number; records: number }[] {
    if (partitions.length === 0) return [];
    const positions = this.#client.position(partitions.map(({ topic, partition }) => ({ topic, partition })));
    const lags: { topic: string; partition: number; records: number }[] = [];
    for (const p of positions) {
      if (typeof p.offset !== 'number' || p.offset < 0) continue;
      try {
        const { highOffset } = this.#client.getWatermarkOffsets(p.topic, p.partition);
        if (highOffset >= 0) lags.push({ topic: p.topic, partition: p.partition, records: Math.max(0, highOffset - p.offset) });
      } catch {
        // No cached watermark yet for this partition.
      }
    }
    return lags;
  }

  /** The partitions this member owns now. */
  assignment(): TopicPartition[] {
    return this.#client.assignments().map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Leaves the group and disconnects. */
  close(): Promise<void> {
    return new Promise((resolvePromise) => {
      try {
        this.#client.unsubscribe();
      } catch {
        // Not subscribed any more: nothing to leave.
      }
      this.#client.disconnect(() => resolvePromise());
    });
  }
}

const ASSIGN_PARTITIONS = -175;
const REVOKE_PARTITIONS = -174;

// librdkafka keeps the group in "wait for unassign" until the application calls
// (incremental) unassign, which is what lets a member commit before it lets go.
function onRebalance(client: KafkaConsumerClient & CooperativeRebalancing, error: LibrdKafkaError, partitions: TopicPartition[], listener: RebalanceListener | undefined): void {
  const cooperative = client.rebalanceProtocol() === 'COOPERATIVE';
  const guarded = (action: () => void) => () => {
    try {
      action();
    } catch (failure) {
      // Unassigning after a disconnect is harmless; anything else must be seen.
      if (client.isConnected()) client.emit('rebalance.error', failure as Error);
    }
  };
  if (error.code === ASSIGN_PARTITIONS) {
    guarded(() => (cooperative ? client.incrementalAssign(partitions) : client.assign(partitions)))();
    listener?.({ kind: 'assigned', partitions, done: () => {} });
  } else if (error.code === REVOKE_PARTITIONS) {
    let released = false;
    const done = guarded(() => {
      if (released) return;
      released = true;
      if (cooperative) client.incrementalUnassign(partitions);
      else client.unassign();
    });
    if (listener) listener({ kind: 'revoked', partitions, done });
    else done();
  }
}
