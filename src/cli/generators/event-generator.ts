/**
 * The contract of `sluice generate` workloads: deterministic, realistic
 * records for one topology's source topics, with invalid and late records
 * mixed in at given ratios, each labelled so an oracle can say what the
 * topology must produce.
 */

/** What a generated record is meant to be, for the oracle. */
export type RecordKind = 'valid' | 'invalid' | 'late';

/**
 * One record to produce.
 *
 * @example
 * ```ts
 * const r: GeneratedRecord<Heartbeat> = { topic: 'heartbeats', key: 'cust-0001', value, kind: 'valid' };
 * ```
 */
export interface GeneratedRecord<V> {
  readonly topic: string;
  readonly key: string;
  readonly value: V;
  readonly kind: RecordKind;
  /** For `invalid`: the message the topology's validate step gives. */
  readonly reason?: string;
  /** A workload-specific label on a valid record, e.g. `impossible-transition`. */
  readonly note?: string;
  /** The produced record's timestamp, epoch ms; absent: the value's `timestamp` field, else the producer's clock. */
  readonly timestamp?: number;
}

/**
 * Options every generator takes.
 *
 * @example
 * ```ts
 * const o: GeneratorOptions = { seed: 7, startMs: Date.UTC(2026, 0, 1), eventsPerSecond: 20, invalidRatio: 0.02, lateRatio: 0.01 };
 * ```
 */
export interface GeneratorOptions {
  readonly seed: number;
  /** Event time of the first record, epoch ms. */
  readonly startMs: number;
  /** How fast event time advances: one record every `1000 / eventsPerSecond` ms. */
  readonly eventsPerSecond: number;
  /** Share of records that fail the topology's validation (0..1). */
  readonly invalidRatio: number;
  /** Share of records older than the window they belong to will accept (0..1). */
  readonly lateRatio: number;
}

/**
 * A source topic a generator writes, created by `sluice generate` when missing.
 *
 * @example
 * ```ts
 * const t: GeneratedTopic = { name: 'events', partitions: 3, schema: 'app-event' };
 * ```
 */
export interface GeneratedTopic {
  readonly name: string;
  readonly partitions: number;
  /** Schema name: `schemas/<schema>.avsc`. */
  readonly schema: string;
}

/**
 * A workload: its topics, an endless deterministic record sequence, and the
 * oracle computing what the topologies must produce from a finite prefix.
 *
 * @example
 * ```ts
 * const records = take(heartbeatWorkload.records(options), 1_000);
 * heartbeatWorkload.oracle(records); // { minutes: [...], alerts: [...], deadLetters: {...} }
 * ```
 */
export interface EventGenerator<V, O> {
  /** The name `sluice generate` takes. */
  readonly name: string;
  /** Topologies that read these topics (`sluice generate <topology>` works too). */
  readonly topologies: readonly string[];
  readonly topics: readonly GeneratedTopic[];
  records(options: GeneratorOptions): Iterable<GeneratedRecord<V>>;
  oracle(records: readonly GeneratedRecord<V>[]): O;
}

/**
 * The first `count` items of an iterable.
 *
 * @example
 * ```ts
 * take(workload.records(options), 3).length; // 3
 * ```
 */
export function take<T>(items: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= count) break;
  }
  return out;
}
