/** A partition of a topic. */
interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * What {@link ReadAheadConsumer} reads from: a batch consumer (BatchConsumer in production).
 *
 * @example
 * ```ts
 * const source: BatchSource<Message> = await BatchConsumer.connect(properties, ['events']);
 * ```
 */
export interface BatchSource<M extends PartitionRef> {
  poll(maxMessages: number, timeoutMs: number): Promise<M[]>;
  pause(partitions: readonly PartitionRef[]): void;
  resume(partitions: readonly PartitionRef[]): void;
  seek(position: PartitionRef & { readonly offset: number }): Promise<void>;
}

/**
 * An end of partition seen by the source (librdkafka's `partition.eof`), reported once its records are handed out.
 *
 * @example
 * ```ts
 * const end: PartitionEnd = { topic: 'events', partition: 0, offset: 1_000 }; // 1,000 is the next offset to fetch
 * ```
 */
export interface PartitionEnd extends PartitionRef {
  readonly offset: number;
}

const id = (p: PartitionRef): string => `${p.topic}\u0000${p.partition}`;

/**
 * Keeps one poll of the source in flight while the caller works on the batch
 * it was handed, so fetching and converting the next batch (librdkafka's
 * worker thread) overlaps processing and committing this one instead of
 * following it.
 *
 * What read-ahead must not change, and how it is kept:
 * - **Revocation**: a revoked partition is released (`release`) only after
 *   the poll in flight has settled, and its records still held are dropped:
 *   they are uncommitted, so its next owner reads them from the committed
 *   offset. No poll runs across a release, so old and re-assigned records of
 *   a partition never mix in one batch.
 * - **Seek**: waits for the poll in flight and drops the held records of
 *   that partition; the next poll starts from the new position.
 * - **Pause**: records of a paused partition already read stay held, in
 *   order, until it is resumed (librdkafka resumes fetching right after
 *   them), so a caller that polls while paused, only to serve rebalances,
 *   loses nothing.
 * - **Ends of partitions** are reported when the records before them are
 *   handed out, not when read ahead.
 *
 * @example
 * ```ts
 * const reader = new ReadAheadConsumer(batchConsumer, (end) => ends.set(end.partition, end.offset));
 * const batch = await reader.poll(20_000, 100); // the next poll is already running
 * ```
 */
export class ReadAheadConsumer<M extends PartitionRef> {
  readonly #source: BatchSource<M>;
  readonly #onEnd: (end: PartitionEnd) => void;
  /** Read, not handed out yet, in the source's order. */
  #held: M[] = [];
  #pendingEnds: PartitionEnd[] = [];
  #inFlight: Promise<void> | undefined;
  #error: { readonly cause: unknown } | undefined;
  readonly #paused = new Set<string>();
  #releases: { readonly partitions: readonly PartitionRef[]; readonly done: () => void }[] = [];
  #closed = false;

  constructor(source: BatchSource<M>, onEnd: (end: PartitionEnd) => void = () => {}) {
    this.#source = source;
    this.#onEnd = onEnd;
  }

  /**
   * Up to `maxMessages` records: those read ahead, else the result of a
   * poll waiting at most `timeoutMs` for its first record. Starts the next
   * poll before returning. A failed poll is thrown here.
   */
  async poll(maxMessages: number, timeoutMs: number): Promise<M[]> {
    if (!this.#hasReady()) {
      if (this.#inFlight === undefined && this.#error === undefined) this.#start(maxMessages, timeoutMs);
      await this.#settle();
    }
    const error = this.#error;
    if (error !== undefined) {
      this.#error = undefined;
      throw error.cause;
    }
    const batch = this.#take(maxMessages);
    if (this.#inFlight === undefined && !this.#closed) this.#start(maxMessages, timeoutMs);
    this.#reportEnds();
    return batch;
  }

  /** Notes an end of partition from the source; reported once the records before it are handed out. */
  noteEnd(end: PartitionEnd): void {
    this.#pendingEnds.push(end);
  }

  pause(partitions: readonly PartitionRef[]): void {
    if (partitions.length === 0) return;
    this.#source.pause(partitions);
    for (const p of partitions) this.#paused.add(id(p));
  }

  resume(partitions: readonly PartitionRef[]): void {
    if (partitions.length === 0) return;
    this.#source.resume(partitions);
    for (const p of partitions) this.#paused.delete(id(p));
  }

  /** Moves a partition's position once the poll in flight has settled; its held records are dropped. */
  async seek(position: PartitionRef & { readonly offset: number }): Promise<void> {
    await this.#settle();
    this.#drop([position]);
    await this.#source.seek(position);
  }

  /**
   * Calls `done` (which lets librdkafka unassign `partitions`) once no poll
   * is in flight, after dropping their held records.
   */
  release(partitions: readonly PartitionRef[], done: () => void): void {
    this.#drop(partitions);
    if (this.#inFlight === undefined) done();
    else this.#releases.push({ partitions, done });
  }

  /** Stops reading ahead and waits for the poll in flight; held records are dropped (they were never committed). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#settle();
    this.#held = [];
  }

  #start(maxMessages: number, timeoutMs: number): void {
    this.#inFlight = this.#source.poll(maxMessages, timeoutMs).then(
      (messages) => {
        if (this.#held.length === 0) this.#held = messages;
        else for (const m of messages) this.#held.push(m);
      },
      (cause: unknown) => {
        this.#error = { cause };
      },
    ).finally(() => {
      this.#inFlight = undefined;
      const releases = this.#releases;
      this.#releases = [];
      for (const { partitions, done } of releases) {
        this.#drop(partitions);
        done();
      }
    });
  }

  async #settle(): Promise<void> {
    while (this.#inFlight !== undefined) await this.#inFlight;
  }

  #hasReady(): boolean {
    if (this.#paused.size === 0) return this.#held.length > 0;
    for (const m of this.#held) if (!this.#paused.has(id(m))) return true;
    return false;
  }

  #take(maxMessages: number): M[] {
    const held = this.#held;
    if (this.#paused.size === 0 && held.length <= maxMessages) {
      this.#held = [];
      return held;
    }
    const batch: M[] = [];
    const kept: M[] = [];
    for (const m of held) {
      if (batch.length < maxMessages && !this.#paused.has(id(m))) batch.push(m);
      else kept.push(m);
    }
    this.#held = kept;
    return batch;
  }

  #drop(partitions: readonly PartitionRef[]): void {
    if (partitions.length === 0) return;
    const gone = new Set(partitions.map(id));
    if (this.#held.length > 0) this.#held = this.#held.filter((m) => !gone.has(id(m)));
    if (this.#pendingEnds.length > 0) this.#pendingEnds = this.#pendingEnds.filter((e) => !gone.has(id(e)));
  }

  #reportEnds(): void {
    if (this.#pendingEnds.length === 0) return;
    const stillHeld = new Set(this.#held.map(id));
    const later: PartitionEnd[] = [];
    for (const end of this.#pendingEnds) {
      if (stillHeld.has(id(end))) later.push(end);
      else this.#onEnd(end);
    }
    this.#pendingEnds = later;
  }
}
