import type { CommitOffset, OutputRecord } from '../runtime/records.js';
import type { CheckpointWriter } from '../runtime/stream-transport.js';

const NOTHING = (): void => {};

/**
 * A {@link CheckpointWriter} whose calls run one after another in the order
 * they were made, with `begin` and `produce` queued rather than awaited: the
 * caller hands records over and goes on, and the commit that follows waits
 * for them and fails if any of them failed. Records of one checkpoint therefore reach the
 * client in the order they were produced, and never after their commit.
 *
 * @example
 * ```ts
 * const queued = new QueuedCheckpointWriter(writer);
 * queued.beginLater();
 * queued.produceLater(firstPartitionOutputs);
 * queued.produceLater(secondPartitionOutputs);
 * await queued.commit(offsets); // after both, or rejects with the first produce failure
 * ```
 */
export class QueuedCheckpointWriter {
  readonly #writer: CheckpointWriter;
  #lane: Promise<void> = Promise.resolve();
  #failure: unknown;
  #failed = false;

  constructor(writer: CheckpointWriter) {
    this.#writer = writer;
  }

  /** Queues the start of a checkpoint; a failure surfaces at {@link QueuedCheckpointWriter.commit}. */
  beginLater(): void {
    void this.#inLane(async () => {
      this.#failed = false;
      this.#failure = undefined;
      try {
        await this.#writer.begin();
      } catch (error) {
        this.#failed = true;
        this.#failure = error;
      }
    });
  }

  /** Queues records into the open checkpoint; a failure surfaces at {@link QueuedCheckpointWriter.commit}. */
  produceLater(records: readonly OutputRecord[]): void {
    void this.#inLane(async () => {
      if (this.#failed) return; // the checkpoint is lost already; its commit says why
      try {
        await this.#writer.produce(records);
      } catch (error) {
        this.#failed = true;
        this.#failure = error;
      }
    });
  }

  commit(offsets: readonly CommitOffset[]): Promise<void> {
    return this.#inLane(() => {
      if (this.#failed) throw this.#failure;
      return this.#writer.commit(offsets);
    });
  }

  abort(): Promise<void> {
    return this.#inLane(() => {
      this.#failed = false;
      this.#failure = undefined;
      return this.#writer.abort();
    });
  }

  close(): Promise<void> {
    return this.#inLane(() => this.#writer.close());
  }

  #inLane(op: () => Promise<void>): Promise<void> {
    const run = this.#lane.then(op);
    this.#lane = run.then(NOTHING, NOTHING);
    return run;
  }
}
