/**
 * The transport-free `Sink` contract.
 *
 * A sink is fed by its own consumer group; the Kafka wiring (another layer)
 * polls, hands each poll to {@link Sink.writeBatch} and never commits Kafka
 * offsets for a sink: the sink stores its positions next to its rows, so the
 * positions and the rows can never disagree. On assignment the consumer seeks
 * to what {@link Sink.open} returns.
 *
 * Mirrors Quix Streams' `add`/`flush`/`onPaused`/`close`, except that `add`
 * and `flush` are fused into one `writeBatch` call: a poll is the unit of
 * atomicity, so there is no half-flushed buffer to reason about.
 *
 * @module
 */

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * A position to resume from: the offset of the next record to read
 * (Kafka's convention: last applied offset + 1).
 */
export interface PartitionOffset extends TopicPartition {
  readonly nextOffset: bigint;
}

/**
 * One decoded record with its source coordinates.
 *
 * @typeParam K - decoded key (an object for composite keys, or a scalar)
 * @typeParam V - decoded value; `null` is a tombstone
 */
export interface SinkRecord<K = unknown, V = unknown> extends TopicPartition {
  readonly offset: bigint;
  readonly key: K;
  readonly value: V | null;
  /** Record timestamp (epoch ms), when the transport has one. */
  readonly timestamp?: number;
}

/** The records of ONE poll, in partition order. */
export interface SinkBatch<K = unknown, V = unknown> {
  readonly records: readonly SinkRecord<K, V>[];
}

/** A record the destination refused for good, with the destination's reason. */
export interface RejectedRecord<K = unknown, V = unknown> {
  readonly record: SinkRecord<K, V>;
  /** Destination error code (a SQLSTATE for PostgreSQL), when there is one. */
  readonly code: string | undefined;
  readonly message: string;
}

/** Per-call options of {@link Sink.writeBatch}. */
export interface WriteOptions<K = unknown, V = unknown> {
  /**
   * Called inside the batch's transaction, before it commits, with the
   * records the destination refused (only when there are some). Resolve once
   * the dead-letter write is acknowledged: if it throws, nothing commits and
   * the whole batch is retried, so a crash can duplicate a DLQ record but
   * never lose one — the DLQ-before-offsets order of the design.
   *
   * @example
   * ```ts
   * await sink.writeBatch(batch, { deadLetter: (rejected) => dlqProducer.sendAndAwait(rejected) });
   * ```
   */
  readonly deadLetter?: (rejected: readonly RejectedRecord<K, V>[]) => Promise<void>;
}

/**
 * What one {@link Sink.writeBatch} committed. Everything in it is already
 * durable when the promise resolves.
 *
 * @example
 * ```ts
 * const outcome = await sink.writeBatch({ records });
 * for (const r of outcome.rejected) await dlq.send(r.record, r.message);
 * // outcome.nextOffsets are already stored with the rows: nothing to commit.
 * ```
 */
export interface WriteOutcome<K = unknown, V = unknown> {
  /** Rows inserted or updated (after coalescing: one per key). */
  readonly written: number;
  /** Rows deleted by tombstones. */
  readonly deleted: number;
  /**
   * Records that changed nothing: already applied (offset below the stored
   * position), superseded by a later value for the same key, or tombstones
   * in `append` mode.
   */
  readonly skipped: number;
  /**
   * Records refused for good. Already handed to `deadLetter` when one was
   * given; otherwise route them to the DLQ now (a crash before that loses them).
   */
  readonly rejected: readonly RejectedRecord<K, V>[];
  /** The positions stored in the same transaction as the rows. */
  readonly nextOffsets: readonly PartitionOffset[];
}

/**
 * A destination that commits rows and positions atomically.
 *
 * Error contract for `writeBatch`: it either resolves (everything in the
 * outcome is committed) or rejects. A rejected batch may be committed for some
 * of its partitions (a sink writing partitions in separate transactions);
 * writing the same batch again skips those by their stored positions, so the
 * caller retries the whole batch. The caller
 * classifies the rejection (for PostgreSQL, `classifyDatabaseError`) and
 * pauses + retries on a `retry`, stops on a `fatal`. Records refused for good
 * never reject the promise: they come back in {@link WriteOutcome.rejected}.
 *
 * @example
 * ```ts
 * const positions = await sink.open([{ topic: 'bus.route-stats.1m', partition: 0 }]);
 * for (const p of positions) consumer.seek(p);
 * const outcome = await sink.writeBatch({ records });
 * await sink.close();
 * ```
 */
export interface Sink<K = unknown, V = unknown> {
  /** Stable name from the topology (`.sink(name, …)`). */
  readonly name: string;
  /**
   * Prepares the sink for these partitions (and checks the destination on the
   * first call). Resolves with the stored positions; a partition missing from
   * the result has none and starts from the consumer's reset policy.
   */
  open(assignment: readonly TopicPartition[]): Promise<readonly PartitionOffset[]>;
  /**
   * Writes one poll's records and their next positions, each partition's
   * records in one transaction with its position; refused records go to
   * `options.deadLetter` before the commit that passes them.
   */
  writeBatch(batch: SinkBatch<K, V>, options?: WriteOptions<K, V>): Promise<WriteOutcome<K, V>>;
  /**
   * The consumer paused these partitions (back-pressure or a retry wait):
   * drop anything buffered for them. Buffered data would otherwise be
   * written after the consumer rewinds and is re-delivered.
   */
  onPaused(partitions: readonly TopicPartition[]): Promise<void>;
  /** Releases the destination's resources. Idempotent. */
  close(): Promise<void>;
}
