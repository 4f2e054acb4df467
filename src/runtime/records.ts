/**
 * Kafka record headers as raw bytes (what the wire carries).
 *
 * @example
 * ```ts
 * const h: RecordHeaders = { 'sluice.error.reason': Buffer.from('late') };
 * ```
 */
export type RecordHeaders = Readonly<Record<string, Buffer>>;

/**
 * One consumed record, as any transport (librdkafka, the test driver) hands
 * it to a task: coordinates plus raw bytes.
 *
 * @example
 * ```ts
 * const r: InputRecord = { topic: 'bus.telemetry', partition: 0, offset: 41n, timestamp: 1700000000000, key: Buffer.from('bus-7'), value: bytes, headers: {} };
 * ```
 */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Record timestamp, epoch ms. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
}

/**
 * A record to produce. `partition` undefined means "partition by key" with
 * Kafka's default (murmur2) partitioner; table and changelog records carry
 * the task's partition (they are co-partitioned with its input).
 *
 * @example
 * ```ts
 * const out: OutputRecord = { topic: 'bus.route-stats.1m', partition: 3, key, value, timestamp: 1700000059000, headers: {} };
 * ```
 */
export interface OutputRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: RecordHeaders;
}

/**
 * The position to commit for one input partition: last processed offset + 1.
 *
 * @example
 * ```ts
 * const c: CommitOffset = { topic: 'bus.telemetry', partition: 0, nextOffset: 42n };
 * ```
 */
export interface CommitOffset {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: bigint;
  /** Committed with the offset, atomically: the task's event-time progress (see `TaskProgress`). */
  readonly metadata?: string;
}

/**
 * Counters of one batch (add them up into metrics).
 *
 * @example
 * ```ts
 * result.counters; // { processed: 500, deadLettered: 3, late: 1, dropped: 0 }
 * ```
 */
export interface TaskCounters {
  /** Input records handled. */
  processed: number;
  /** Records written to a dead-letter topic (any reason). */
  deadLettered: number;
  /** Late records (dead-lettered or dropped, by policy). */
  late: number;
  /** Bad or late records dropped because no dead-letter topic applies. */
  dropped: number;
  /**
   * Records refused by a window step's state budget (`maxOpenWindows`), per
   * step; dead-lettered as `state-full` (or dropped without a dead-letter
   * topic, and then counted in `dropped` too). Absent when none.
   */
  stateOverflow?: Record<string, number>;
}

/**
 * Everything one batch produced. A runtime writes `outputs` (in order) and
 * commits `commits` in ONE Kafka transaction; the test driver appends them to
 * its in-memory topics.
 *
 * @example
 * ```ts
 * const result = await task.process(batch, Date.now());
 * await producer.transaction(result.outputs, result.commits);
 * ```
 */
export interface BatchResult {
  readonly outputs: readonly OutputRecord[];
  readonly commits: readonly CommitOffset[];
  readonly counters: Readonly<TaskCounters>;
  /** The lowest and highest event time of the records the batch decoded; absent when it decoded none. */
  readonly eventTimes?: EventTimeRange;
}

/**
 * The event times a processed batch spanned (what event-time alignment
 * learns a partition's pace from when the task writes no repartition topic).
 *
 * @example
 * ```ts
 * const range: EventTimeRange = { min: 1_700_000_000_000, max: 1_700_000_059_000 };
 * ```
 */
export interface EventTimeRange {
  readonly min: number;
  readonly max: number;
}
