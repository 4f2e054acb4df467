import type { CommitOffset, InputRecord, OutputRecord } from './records.js';

/** A partition of a topic. */
export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A rebalance as the runner sees it; `done()` releases revoked partitions once their work is committed. */
export interface PartitionChange {
  readonly kind: 'assigned' | 'revoked';
  readonly partitions: readonly TopicPartitionRef[];
  done(): void;
}

/** The group member a runner reads its input with. */
export interface StreamConsumer {
  /** Up to `max` records, waiting at most `timeoutMs` for the first. */
  poll(max: number, timeoutMs: number): Promise<InputRecord[]>;
  pause(partitions: readonly TopicPartitionRef[]): void;
  resume(partitions: readonly TopicPartitionRef[]): void;
  /** Moves the fetch position; `undefined` means the beginning. */
  seek(partition: TopicPartitionRef, nextOffset: bigint | undefined): Promise<void>;
  /** The group's committed next offsets (`undefined` where none). */
  committed(partitions: readonly TopicPartitionRef[]): Promise<ReadonlyMap<string, bigint | undefined>>;
  /**
   * The metadata committed with the group's offsets (where any), by
   * {@link partitionKey}: a task's event-time progress. Optional: without it,
   * a restarted task judges lateness from what it restores.
   */
  committedMetadata?(partitions: readonly TopicPartitionRef[]): Promise<ReadonlyMap<string, string>>;
  assignment(): TopicPartitionRef[];
  /** Records behind the end of each assigned partition, as far as the client knows without asking. */
  lag(): { readonly topic: string; readonly partition: number; readonly records: number }[];
  /**
   * Per assigned partition ({@link partitionKey}), the end offset the consumer
   * was at when it last reached the partition's end (transaction markers
   * included). The partition has nothing left to read while no record at or
   * after that offset was polled since. Optional: without it, event-time
   * alignment cannot tell a caught-up partition from one not fetched yet, and
   * only orders what each poll returned.
   */
  ends?(): ReadonlyMap<string, bigint>;
  close(): Promise<void>;
}

/**
 * Writes one checkpoint: outputs plus input offsets, atomically under
 * exactly-once (one Kafka transaction); under at-least-once, outputs are
 * acknowledged before the offsets are committed.
 */
export interface CheckpointWriter {
  begin(): Promise<void>;
  produce(records: readonly OutputRecord[]): Promise<void>;
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /** Throws away what this checkpoint produced (exactly-once) — a no-op under at-least-once. */
  abort(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Why a checkpoint failed, which decides the recovery: `retry` (abort,
 * rewind, try again), `fenced` (another instance took over: stop), `fatal`
 * (the client is unusable: replace it), `permanent` (every retry would fail
 * the same way, e.g. a record larger than its topic accepts: stop with the
 * error, which says what to change).
 */
export type CheckpointFault = 'retry' | 'fenced' | 'fatal' | 'permanent';

/**
 * What records a transport's topics and producer accept, in bytes (a
 * record's key, value and headers plus Kafka's framing).
 *
 * @example
 * ```ts
 * const limits: RecordLimits = { topics: new Map([['events', 1_048_588]]), producer: 33_554_432 };
 * ```
 */
export interface RecordLimits {
  /** Per existing topic, its `max.message.bytes`; topics whose config could not be read are absent. */
  readonly topics: ReadonlyMap<string, number>;
  /** The largest record the transport's producers send (librdkafka's `message.max.bytes`). */
  readonly producer: number;
}

/**
 * How a consumer joins its group (see {@link StreamTransport.connectConsumer}).
 *
 * @example
 * ```ts
 * const options: ConsumerOptions = { staticMemberId: 'traffic-monitoring-host-1', coPartitioned: true };
 * ```
 */
export interface ConsumerOptions {
  readonly staticMemberId?: string;
  /** Assign partition `p` of every subscribed topic to one member (Kafka's range assignor; eager rebalances). */
  readonly coPartitioned?: boolean;
}

/**
 * Everything the runner needs from Kafka. `src/kafka` implements it; the
 * runtime never imports the client library.
 *
 * @example
 * ```ts
 * const runner = new TopologyRunner({ plan, transport: kafkaStreamTransport(properties), ... });
 * ```
 */
export interface StreamTransport {
  ensureTopics(topics: readonly { name: string; partitions: number; config?: Readonly<Record<string, string>> }[]): Promise<void>;
  partitionCounts(topics: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /**
   * The record limits of the named topics and of the producer; `undefined`
   * when they cannot be read. Optional: without it, outputs are produced
   * unchecked (a record too large fails its checkpoint, see `permanent`).
   */
  recordLimits?(topics: readonly string[]): Promise<RecordLimits | undefined>;
  /**
   * `staticMemberId` (KIP-345): a restarted member with the same id takes its predecessor's partitions without a rebalance.
   * `coPartitioned`: partition `p` of every topic goes to the same member (topics read by one task must be; see `SubTopology`).
   */
  connectConsumer(groupId: string, topics: readonly string[], onChange: (change: PartitionChange) => void, options?: ConsumerOptions): Promise<StreamConsumer>;
  connectWriter(options: { guarantee: DeliveryGuarantee; transactionalId: string; consumer: StreamConsumer }): Promise<CheckpointWriter>;
  /** Every committed record of one partition, from its start to its current end. */
  readPartition(topic: string, partition: number): Promise<InputRecord[]>;
  classify(error: unknown): CheckpointFault;
  /** Deletes records below committed offsets of repartition topics (kept with infinite retention until consumed). */
  purge?(offsets: readonly CommitOffset[]): Promise<void>;
}

/** `exactly-once` (default): Kafka transactions. `at-least-once`: faster, may repeat after a crash. */
export type DeliveryGuarantee = 'exactly-once' | 'at-least-once';

/** Re-exported for importers of this module; the helper lives in `src/partition-key.ts`. */
export { partitionKey } from '../partition-key.js';
