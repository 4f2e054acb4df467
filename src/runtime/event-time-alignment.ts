import type { EventTimeRange, InputRecord, OutputRecord } from './records.js';
import { partitionKey, partitionKeyLabel } from '../partition-key.js';
import type { TopicPartitionRef } from './stream-transport.js';

/**
 * A slice of one partition's polled records to process now, in offset order.
 *
 * @example
 * ```ts
 * const chunk: AlignmentChunk = { key: partitionKey('events', 0), partition: { topic: 'events', partition: 0 }, records };
 * ```
 */
export interface AlignmentChunk {
  readonly key: string;
  readonly partition: TopicPartitionRef;
  readonly records: readonly InputRecord[];
}

/** The consumer's pause/resume calls that make the fetcher follow the alignment. */
export interface AlignmentPauses {
  readonly pause: TopicPartitionRef[];
  readonly resume: TopicPartitionRef[];
}

interface PartitionState {
  readonly partition: TopicPartitionRef;
  /** Highest event time written to a repartition topic from this partition; -Infinity before the first. */
  reached: number;
  /** Polled, not yet processed (held back), from `head` on. */
  pending: InputRecord[];
  head: number;
  /** Offset after the last polled record; undefined before the first poll of this assignment. */
  polledNext: bigint | undefined;
  /** Event time per record recent chunks advanced by (NaN when unknown), and its decaying sums. */
  msPerRecord: number;
  advanced: number;
  counted: number;
  lastChunk: number;
  paused: boolean;
  /** Clock time of the last sign of the fetcher working on it: tracked, records polled, resumed, rewound. */
  heardAt: number;
}

/**
 * Tuning of {@link EventTimeAlignment}.
 *
 * @example
 * ```ts
 * const options: AlignmentTuning = { idleMs: 5_000, clock: () => performance.now() };
 * ```
 */
export interface AlignmentTuning {
  /**
   * A partition with nothing queued that has delivered nothing for this long
   * counts as caught up even without an end report (default 5 s), so that a
   * missed report can delay the others but never stall them.
   */
  readonly idleMs?: number;
  /** Milliseconds of a monotonic clock (default `performance.now`). */
  readonly clock?: () => number;
}

const MIN_CHUNK = 16;
const GROWTH = 4;
const IDLE_MS = 5_000;

/**
 * Keeps the input partitions of one sub-topology in step in event time, the
 * way Flink's watermark alignment does, so a backlog reaches the repartition
 * topic in (approximately) event-time order across partitions.
 *
 * Polled records are queued per partition ({@link offer}) and handed out in
 * chunks ({@link next}) from the partition that has reached the lowest event
 * time; a partition more than `maxAheadMs` ahead of the slowest partition that
 * still has records to read is held (its queue stays, and {@link pausing}
 * pauses it) until the others catch up. A partition with nothing queued and
 * none left to read (the consumer reported its end, and nothing was polled
 * since) never holds the others back; nor does one that went quiet for
 * `idleMs` without such a report. Per-partition order is never changed;
 * held records are simply not processed, hence not committed, yet.
 *
 * Event time is learned after the fact, from the timestamps (= event times) of
 * the repartition records a chunk produced, so chunks are sized from the
 * partition's recent event time per record to cover about half the headroom left
 * under the bound (at least {@link MIN_CHUNK} records; growth per chunk is
 * capped, so a sudden burst overshoots by at most a few chunks' worth).
 *
 * @example
 * ```ts
 * const alignment = new EventTimeAlignment(15_000, ['bus.by-route-repartition']);
 * alignment.track({ topic: 'bus', partition: 0 });
 * alignment.offer(partitionKey('bus', 0), polled);
 * for (let chunk = alignment.next(ends); chunk; chunk = alignment.next(ends)) {
 *   alignment.advanced(chunk, (await task.process(chunk.records, now)).outputs);
 * }
 * const { pause, resume } = alignment.pausing();
 * ```
 */
export class EventTimeAlignment {
  readonly #states = new Map<string, PartitionState>();
  readonly #idleMs: number;
  readonly #clock: () => number;

  constructor(
    readonly maxAheadMs: number,
    readonly repartitionTopics: readonly string[],
    tuning: AlignmentTuning = {},
  ) {
    this.#idleMs = tuning.idleMs ?? IDLE_MS;
    this.#clock = tuning.clock ?? (() => performance.now());
  }

  /** Starts following an assigned partition (idempotent). */
  track(partition: TopicPartitionRef): void {
    const key = partitionKey(partition.topic, partition.partition);
    if (!this.#states.has(key)) {
      this.#states.set(key, { partition, reached: Number.NEGATIVE_INFINITY, pending: [], head: 0, polledNext: undefined, msPerRecord: Number.NaN, advanced: 0, counted: 0, lastChunk: 0, paused: false, heardAt: this.#clock() });
    }
  }

  /** Forgets a revoked partition and whatever it held (uncommitted: its next owner reads it again). */
  untrack(key: string): void {
    this.#states.delete(key);
  }

  /** After a rewind: held records are dropped (they are fetched again) and every partition starts unknown and resumed. */
  clear(): void {
    const now = this.#clock();
    for (const s of this.#states.values()) {
      s.heardAt = now;
      s.reached = Number.NEGATIVE_INFINITY;
      s.pending = [];
      s.head = 0;
      s.polledNext = undefined;
      s.msPerRecord = Number.NaN;
      s.advanced = 0;
      s.counted = 0;
      s.lastChunk = 0;
      s.paused = false;
    }
  }

  /**
   * Restarts the quiet clock of every partition nothing was polled from since
   * it was tracked. Call it once the tasks of an assignment are built: the
   * seconds spent restoring the other tasks are not silence of a partition's,
   * and a partition counted quiet holds nobody back — the first to deliver
   * would run ahead of the others unchecked.
   */
  restartQuietClocks(): void {
    const now = this.#clock();
    for (const s of this.#states.values()) if (s.polledNext === undefined) s.heardAt = now;
  }

  /** Whether `key` is one of this alignment's partitions. */
  follows(key: string): boolean {
    return this.#states.has(key);
  }

  /** Queues one partition's polled records (offset order, after anything queued before). Takes ownership of `batch`. */
  offer(key: string, batch: InputRecord[]): void {
    const s = this.#states.get(key);
    const last = batch[batch.length - 1];
    if (s === undefined || last === undefined) throw new Error(`event-time alignment: no partition ${partitionKeyLabel(key)} followed, or an empty batch`);
    if (s.head >= s.pending.length) {
      s.pending = batch;
      s.head = 0;
    } else {
      for (const record of batch) s.pending.push(record);
    }
    s.polledNext = last.offset + 1n;
    s.heardAt = this.#clock();
  }

  /**
   * The next chunk to process, or undefined when every queued partition is
   * too far ahead (or nothing is queued). `ends` are the end offsets the
   * consumer last reached per partition (see `StreamConsumer.ends`); without
   * them, a partition with nothing queued counts as caught up.
   */
  next(ends: ReadonlyMap<string, bigint> | undefined): AlignmentChunk | undefined {
    const pick = this.#pick(ends);
    if (pick === undefined) return undefined;
    const { state: s, key, headroom } = pick;
    const n = Math.min(chunkSize(s, headroom), s.pending.length - s.head);
    const records = s.pending.slice(s.head, s.head + n);
    s.head += n;
    if (s.head >= s.pending.length) {
      s.pending = [];
      s.head = 0;
    }
    return { key, partition: s.partition, records };
  }

  /** Whether {@link next} would hand out a chunk. */
  ready(ends: ReadonlyMap<string, bigint> | undefined): boolean {
    return this.#pick(ends) !== undefined;
  }

  /**
   * Records the event time a processed chunk reached: from the repartition
   * records it produced, or — for an alignment of no repartition topic (the
   * inputs of tasks that read several topics into local state) — from the
   * event times the task decoded (`eventTimes`).
   */
  advanced(chunk: AlignmentChunk, outputs: readonly OutputRecord[], eventTimes?: EventTimeRange): void {
    const s = this.#states.get(chunk.key);
    if (s === undefined) return;
    const topics = this.repartitionTopics;
    let reached = Number.NEGATIVE_INFINITY;
    let earliest = Number.POSITIVE_INFINITY;
    if (topics.length === 0) {
      if (eventTimes !== undefined) {
        reached = eventTimes.max;
        earliest = eventTimes.min;
      }
    } else {
      for (const o of outputs) {
        if (!topics.includes(o.topic)) continue;
        if (o.timestamp > reached) reached = o.timestamp;
        if (o.timestamp < earliest) earliest = o.timestamp;
      }
    }
    const before = s.reached;
    if (reached > before) s.reached = reached;
    const n = chunk.records.length;
    if (before > Number.NEGATIVE_INFINITY) {
      // Averaged over the last few chunks (halving weights): one chunk's maximum moves with the disorder.
      s.advanced = s.advanced / 2 + (s.reached - before);
      s.counted = s.counted / 2 + n;
      s.msPerRecord = s.advanced / s.counted;
    } else if (reached > earliest) {
      // The first chunk has no "before": its own spread, disorder included, errs on the small side.
      s.advanced = reached - earliest;
      s.counted = n;
      s.msPerRecord = s.advanced / s.counted;
    }
    s.lastChunk = n;
  }

  /** Partitions to pause (holding records) and to resume (holding none any more) since the last call. */
  pausing(): AlignmentPauses {
    const pause: TopicPartitionRef[] = [];
    const resume: TopicPartitionRef[] = [];
    const now = this.#clock();
    for (const s of this.#states.values()) {
      const holding = s.head < s.pending.length;
      if (holding && !s.paused) pause.push(s.partition);
      else if (!holding && s.paused) {
        resume.push(s.partition);
        s.heardAt = now;
      }
      s.paused = holding;
    }
    return { pause, resume };
  }

  /** Whether records of `key` are polled and held back. */
  holds(key: string): boolean {
    const s = this.#states.get(key);
    return s !== undefined && s.head < s.pending.length;
  }

  /** Records polled and held back, across partitions. */
  held(): number {
    let held = 0;
    for (const s of this.#states.values()) held += s.pending.length - s.head;
    return held;
  }

  #pick(ends: ReadonlyMap<string, bigint> | undefined): { state: PartitionState; key: string; headroom: number } | undefined {
    let pick: PartitionState | undefined;
    let pickKey = '';
    let floor = Number.POSITIVE_INFINITY;
    const quietSince = this.#clock() - this.#idleMs;
    for (const [key, s] of this.#states) {
      const queued = s.head < s.pending.length;
      if (queued || !caughtUp(s, ends?.get(key), ends !== undefined, quietSince)) floor = Math.min(floor, s.reached);
      if (queued && (pick === undefined || s.reached < pick.reached)) {
        pick = s;
        pickKey = key;
      }
    }
    if (pick === undefined) return undefined;
    const headroom = floor + this.maxAheadMs - pick.reached;
    // A partition whose event time is still unknown always goes first: its first chunk tells.
    if (pick.reached > Number.NEGATIVE_INFINITY && !(headroom >= 0)) return undefined;
    return { state: pick, key: pickKey, headroom };
  }
}

/**
 * Caught up: the consumer reached the partition's end and nothing was polled
 * since, or the transport cannot tell, or the partition went quiet.
 */
function caughtUp(s: PartitionState, end: bigint | undefined, endsKnown: boolean, quietSince: number): boolean {
  if (!endsKnown) return true;
  if (end !== undefined && (s.polledNext === undefined || end >= s.polledNext)) return true;
  return s.heardAt <= quietSince;
}

function chunkSize(s: PartitionState, headroom: number): number {
  if (s.reached === Number.NEGATIVE_INFINITY || s.lastChunk === 0) return MIN_CHUNK;
  const limit = s.lastChunk * GROWTH;
  if (!(s.msPerRecord > 0) || !Number.isFinite(headroom)) return limit;
  return Math.max(MIN_CHUNK, Math.min(limit, Math.floor(headroom / 2 / s.msPerRecord)));
}
