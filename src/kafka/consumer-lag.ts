import type { BatchConsumer } from './batch-consumer.js';
import type { KafkaAdmin } from './kafka-admin.js';
import type { TopicPartition } from './rdkafka.js';
import { partitionKey } from '../partition-key.js';

/** Records behind the end of one assigned partition. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
}

const key = (p: TopicPartition): string => partitionKey(p.topic, p.partition);

/**
 * A consumer's lag that stays true while it is stuck: records between where
 * the group stands on each assigned partition and the partition's **high
 * watermark**.
 *
 * librdkafka knows a partition's position only once the consumer has
 * fetched from it, and a successor restarted behind a crashed writer's open
 * transaction fetches nothing (its committed offset is the last stable
 * offset, or waits on the transaction's pending offsets): its partitions had
 * no lag series at all, and the total read 0 while the windowed stage was
 * stuck (issue 17: a stall that looked healthy). Here a partition without a
 * position counts from its committed offset, and the end is the high
 * watermark, listed through the admin client (read_uncommitted) — also for
 * partitions librdkafka has no cached watermark of yet.
 *
 * `lag()` answers at once from the last refresh and starts the next one in
 * the background (at most one in flight, at most one per `refreshMs`).
 *
 * @example
 * ```ts
 * const lag = new ConsumerLag(consumer, () => admin);
 * lag.lag(); // [] at first, then e.g. [{ topic: 'app.by-key-repartition', partition: 0, records: 12_323 }]
 * ```
 */
export class ConsumerLag {
  readonly #consumer: BatchConsumer;
  readonly #admin: () => KafkaAdmin;
  readonly #refreshMs: number;
  #refreshing = false;
  #refreshedAt = 0;
  #latest: PartitionLag[] = [];
  /** Committed offsets last read per partition: the start for partitions without a fetch position. */
  readonly #committed = new Map<string, number>();

  constructor(consumer: BatchConsumer, admin: () => KafkaAdmin, options: { refreshMs?: number } = {}) {
    this.#consumer = consumer;
    this.#admin = admin;
    this.#refreshMs = options.refreshMs ?? 2_000;
  }

  lag(): PartitionLag[] {
    if (!this.#refreshing && Date.now() - this.#refreshedAt >= this.#refreshMs) {
      this.#refreshing = true;
      this.#refresh()
        .then((lags) => (this.#latest = lags))
        // Best effort: the last answer stands until a refresh succeeds.
        .catch(() => {})
        .finally(() => {
          this.#refreshing = false;
          this.#refreshedAt = Date.now();
        });
    }
    return this.#latest;
  }

  /** Computes the lag now (what the background refresh runs). */
  async #refresh(): Promise<PartitionLag[]> {
    const assigned = this.#consumer.assignment();
    if (assigned.length === 0) return [];
    const high = await this.#admin().endOffsets(assigned, 'read_uncommitted');
    const positions = new Map<string, number>();
    for (const p of this.#consumer.client.position(assigned.map(({ topic, partition }) => ({ topic, partition })))) {
      if (typeof p.offset === 'number' && p.offset >= 0) positions.set(key(p), p.offset);
    }
    const unpositioned = assigned.filter((p) => !positions.has(key(p)));
    if (unpositioned.length > 0) {
      // Waits for stable offsets: while a dead writer's transaction holds them, the last ones read stand.
      const committed = await this.#consumer.committed(unpositioned, 1_000).catch(() => []);
      for (const c of committed) if (c.offset !== undefined) this.#committed.set(key(c), c.offset);
    }
    const lags: PartitionLag[] = [];
    for (const p of assigned) {
      const end = high.get(key(p));
      const at = positions.get(key(p)) ?? this.#committed.get(key(p));
      if (end === undefined || at === undefined) continue;
      lags.push({ topic: p.topic, partition: p.partition, records: Math.max(0, Number(end) - at) });
    }
    return lags;
  }
}
