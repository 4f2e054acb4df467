import type { InputRecord } from '../runtime/records.js';
import { partitionKey } from '../partition-key.js';
import type { PartitionChange, StreamConsumer, TopicPartitionRef } from '../runtime/stream-transport.js';
import { packRecords, unpackInputRecords, type PackedRecords } from './packed-records.js';

/**
 * Records read ahead, packed as they were read (one {@link PackedRecords}
 * per read, in order), with the end offsets the consumer knew right after
 * reading the last of them.
 *
 * @example
 * ```ts
 * const batch: ReadAheadBatch = await ahead.poll(20_000, 100);
 * batch.count; // records in all chunks
 * ```
 */
export interface ReadAheadBatch {
  readonly chunks: readonly PackedRecords[];
  readonly count: number;
  readonly ends: ReadonlyMap<string, bigint>;
}

/**
 * How {@link ReadAheadConsumer} reads.
 *
 * @example
 * ```ts
 * new ReadAheadConsumer(consumer, { chunk: 1_000 });
 * ```
 */
export interface ReadAheadOptions {
  /**
   * Records per read from the client (default 2,000). Each read hands its
   * messages to JavaScript in one go on the reading thread; small reads keep
   * that thread free for the commits in between.
   */
  readonly chunk?: number;
}

const NOTHING = (): void => {};

interface Reader {
  readonly max: number;
  readonly timeoutMs: number;
}
const DEFAULT_CHUNK = 2_000;

/**
 * A consumer that keeps reading while the records it handed out are
 * processed elsewhere: after each poll it goes on reading, in small reads,
 * until it holds a poll's worth (`max`) or the client has nothing more; the
 * next poll takes what it holds at once (waiting for the read in flight at
 * most), or waits for the first records like a plain poll. Each read is
 * packed at once, so the client's per-message objects die young instead of
 * being carried, and promoted, until the next poll.
 *
 * What could make records read ahead wrong is ordered around the reads:
 * pausing, resuming, seeking and releasing revoked partitions wait until no
 * read is in flight, so the client's positions only change between reads
 * (librdkafka resumes a paused partition after the last message it handed
 * out; handing one out while the pause is applied could repeat it). A seek
 * drops the held records of the partition it moves, and a released
 * revocation those of the partitions it gives up: they were never processed,
 * and their next reader starts from the committed offsets. Held records of a
 * partition paused after they were read are handed out (the client resumes
 * after them).
 *
 * @example
 * ```ts
 * const ahead = new ReadAheadConsumer(consumer);
 * const first = await ahead.poll(20_000, 100);  // reads, then goes on reading in the background
 * await ahead.pause([{ topic: 'events', partition: 0 }]); // applied between two reads
 * const second = await ahead.poll(20_000, 100); // what was read meanwhile
 * ```
 */
export class ReadAheadConsumer {
  readonly consumer: StreamConsumer;
  readonly #chunk: number;
  #held: PackedRecords[] = [];
  #heldCount = 0;
  #ends: ReadonlyMap<string, bigint> = new Map();
  #failure: { readonly error: unknown } | undefined;
  /** The read in flight, if any. */
  #reading: Promise<void> | undefined;
  /** Reading goes on while set; a poll or a position change clears it and waits for the read in flight. */
  #reader: Reader | undefined;
  /** Set when reading was cut short by a stop (not ended by a short read): what to go on with afterwards. */
  #interrupted: Reader | undefined;
  /** Everything that takes records or moves positions, in arrival order. */
  #lane: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(consumer: StreamConsumer, options: ReadAheadOptions = {}) {
    this.consumer = consumer;
    this.#chunk = options.chunk ?? DEFAULT_CHUNK;
  }

  /** Up to `max` records: those held, else the first to arrive within `timeoutMs` (and whatever follows at once). */
  poll(max: number, timeoutMs: number): Promise<ReadAheadBatch> {
    return this.#inLane(async () => {
      await this.#stopReading();
      if (this.#heldCount === 0 && this.#failure === undefined) {
        // Nothing held: read like a plain poll, until a short read says nothing more is queued.
        this.#startReading(max, timeoutMs);
        while (this.#reading !== undefined) await this.#reading;
      }
      const failure = this.#failure;
      this.#failure = undefined;
      if (failure !== undefined) throw failure.error;
      // Reads never take more than `max` in all, so what is held is one poll's worth.
      const batch: ReadAheadBatch = { chunks: this.#held, count: this.#heldCount, ends: this.#ends };
      this.#held = [];
      this.#heldCount = 0;
      this.#startReading(max, timeoutMs);
      return batch;
    });
  }

  pause(partitions: readonly TopicPartitionRef[]): Promise<void> {
    return this.#betweenReads(() => this.consumer.pause(partitions));
  }

  resume(partitions: readonly TopicPartitionRef[]): Promise<void> {
    return this.#betweenReads(() => this.consumer.resume(partitions));
  }

  seek(partition: TopicPartitionRef, nextOffset: bigint | undefined): Promise<void> {
    return this.#betweenReads(async () => {
      this.#drop([partition]);
      await this.consumer.seek(partition, nextOffset);
    });
  }

  /** Releases a revocation (see `PartitionChange.done`) between reads, dropping what is held for it. */
  release(change: PartitionChange): Promise<void> {
    return this.#betweenReads(() => {
      if (change.kind === 'revoked') this.#drop(change.partitions);
      change.done();
    });
  }

  /** Stops reading, drops what is held and closes the consumer. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#betweenReads(async () => {
      this.#held = [];
      this.#heldCount = 0;
      await this.consumer.close();
    });
  }

  #startReading(max: number, timeoutMs: number): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#reader = { max, timeoutMs };
    if (this.#reading !== undefined) return;
    let finished = NOTHING;
    this.#reading = new Promise<void>((resolve) => (finished = resolve));
    void this.#readWhileWanted(finished);
  }

  /** Stops reading after the read in flight; returns how to go on reading if that cut reading short. */
  async #stopReading(): Promise<Reader | undefined> {
    this.#reader = undefined;
    this.#interrupted = undefined;
    while (this.#reading !== undefined) await this.#reading;
    const interrupted = this.#interrupted;
    this.#interrupted = undefined;
    return interrupted;
  }

  /**
   * Reads chunk after chunk while reading is wanted, fewer than `max` are
   * held and the client gave a full chunk; the first read waits up to the
   * poll's timeout for a record, the ones after it do not wait.
   */
  async #readWhileWanted(finished: () => void): Promise<void> {
    let timeoutMs = this.#reader?.timeoutMs ?? 0;
    let last = this.#reader;
    try {
      for (;;) {
        const reader = this.#reader;
        if (reader === undefined) {
          this.#interrupted = last;
          return;
        }
        last = reader;
        if (this.#heldCount >= reader.max) return;
        const want = Math.min(this.#chunk, reader.max - this.#heldCount);
        let records: InputRecord[];
        try {
          records = await this.consumer.poll(want, timeoutMs);
        } catch (error) {
          this.#failure = { error };
          this.#reader = undefined;
          return;
        }
        if (records.length > 0) {
          this.#held.push(packRecords(records));
          this.#heldCount += records.length;
        }
        this.#ends = new Map(this.consumer.ends?.() ?? []);
        // A short read means the client has nothing more queued: stop until the next poll asks.
        if (records.length < want) {
          this.#reader = undefined;
          return;
        }
        timeoutMs = 0;
      }
    } finally {
      // Synchronously with the decision to stop, so a reader started right after starts a new loop.
      this.#reading = undefined;
      finished();
    }
  }

  /** Runs `op` after everything queued before it, between two reads; reading goes on after it if `op` cut it short. */
  #betweenReads<T>(op: () => T | Promise<T>): Promise<T> {
    return this.#inLane(async () => {
      const interrupted = await this.#stopReading();
      try {
        return await op();
      } finally {
        if (interrupted !== undefined) this.#startReading(interrupted.max, interrupted.timeoutMs);
      }
    });
  }

  #inLane<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#lane.then(op);
    this.#lane = run.then(NOTHING, NOTHING);
    return run;
  }

  #drop(partitions: readonly TopicPartitionRef[]): void {
    const gone = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    const kept: InputRecord[] = [];
    for (const chunk of this.#held) for (const r of unpackInputRecords(chunk)) if (!gone.has(partitionKey(r.topic, r.partition))) kept.push(r);
    this.#held = kept.length > 0 ? [packRecords(kept)] : [];
    this.#heldCount = kept.length;
    const ends = new Map(this.#ends);
    for (const key of gone) ends.delete(key);
    this.#ends = ends;
  }
}
