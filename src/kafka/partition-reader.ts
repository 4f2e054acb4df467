import { KafkaConsumer, type KafkaConsumerClient, type Message } from './rdkafka.js';
import { toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';
import { KafkaAdmin } from './kafka-admin.js';
import { partitionKey } from '../partition-key.js';

/**
 * Reads whole partitions from the beginning to the end offset they had when
 * the read started, outside any consumer group (`assign`, no commits) and
 * `read_committed` — how a task restores its window state from its partition
 * of the table topic.
 *
 * "The end" is the high watermark, not the last stable offset: a writer
 * killed mid-transaction leaves its transaction open (until a successor with
 * its transactional id fences it, or `transaction.timeout.ms` runs out), and
 * transactions committed after it by other writers — a successor's table
 * updates, whose input offsets the group has committed — lie beyond the last
 * stable offset. Stopping there restored a state short of what the committed
 * offsets say was applied (issue 17: events lost from an aggregate after
 * kill -9). So a read waits, while such a transaction is open, until it ends.
 *
 * @example
 * ```ts
 * const reader = await PartitionReader.connect({ 'bootstrap.servers': b });
 * for await (const batch of reader.readToEnd('bus.route-stats.1m', 3)) restore(batch);
 * await reader.close();
 * ```
 */
export class PartitionReader {
  readonly #client: KafkaConsumerClient;
  readonly #properties: KafkaProperties;
  #admin: KafkaAdmin;

  private constructor(client: KafkaConsumerClient, properties: KafkaProperties) {
    this.#client = client;
    this.#properties = properties;
    this.#admin = new KafkaAdmin(properties);
  }

  static connect(properties: KafkaProperties, options: { connectTimeoutMs?: number } = {}): Promise<PartitionReader> {
    const client = new KafkaConsumer({
      'fetch.max.bytes': 52_428_800,
      ...properties,
      'group.id': `sluice-restore-${process.pid}`,
      'isolation.level': 'read_committed',
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'auto.offset.reset': 'earliest',
    });
    return new Promise((resolvePromise, reject) => {
      client.connect({ timeout: options.connectTimeoutMs ?? 30_000 }, (error) =>
        error ? reject(toKafkaError(error, 'connecting the restore reader')) : resolvePromise(new PartitionReader(client, properties)),
      );
    });
  }

  /**
   * Yields batches from the first offset up to the partition's high watermark at the start of the
   * read, every committed record up to it included. Fails when no progress is made for `timeoutMs`,
   * or, while an open transaction holds the last stable offset back, for `openTransactionTimeoutMs`
   * (default 120 s: longer than the 60 s `transaction.timeout.ms` writers of older Sluice versions used).
   */
  async *readToEnd(topic: string, partition: number, options: { batchSize?: number; timeoutMs?: number; openTransactionTimeoutMs?: number } = {}): AsyncGenerator<Message[]> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const openTransactionTimeoutMs = options.openTransactionTimeoutMs ?? 120_000;
    const { lowOffset } = await this.#watermarks(topic, partition, timeoutMs);
    // The high watermark from a read_uncommitted listing: this read_committed client's own watermark
    // query answers with the last stable offset.
    const highOffset = Number((await this.#endOffsets(topic, partition, 'read_uncommitted')).get(partitionKey(topic, partition)) ?? 0n);
    if (highOffset <= lowOffset) return;
    this.#client.assign([{ topic, partition, offset: lowOffset }]);
    // Short: an empty poll here usually means only a transaction marker is left before the end.
    this.#client.setDefaultConsumeTimeout(100);
    let position = lowOffset;
    let progressAt = Date.now();
    let stableCheckedAt = 0;
    try {
      // Under read_committed, aborted records and transaction markers take offsets but are never
      // delivered, so "done" is the fetch position reaching the end, not a message at highOffset - 1.
      while (position < highOffset) {
        const messages = await this.#consume(options.batchSize ?? 5_000);
        if (messages.length > 0) {
          position = messages[messages.length - 1]!.offset + 1;
          progressAt = Date.now();
          yield messages;
          continue;
        }
        const [current] = this.#client.position([{ topic, partition }]);
        if (current && typeof current.offset === 'number' && current.offset > position) {
          position = current.offset;
          progressAt = Date.now();
        }
        const now = Date.now();
        if (now - progressAt <= timeoutMs || now - stableCheckedAt < 1_000) continue;
        stableCheckedAt = now;
        // No progress: an open transaction (a crashed writer's, to be aborted) holding the last stable
        // offset at our position is waited for, longer; anything else is a stall.
        const stable = Number((await this.#endOffsets(topic, partition, 'read_committed')).get(partitionKey(topic, partition)) ?? 0n);
        const waitingForTransaction = stable <= position;
        if (now - progressAt > (waitingForTransaction ? openTransactionTimeoutMs : timeoutMs)) {
          throw new Error(
            waitingForTransaction
              ? `restoring ${topic}[${partition}]: an open transaction has held the last stable offset at ${stable} (end ${highOffset}) for ${openTransactionTimeoutMs} ms; ` +
                  'it ends when its writer is fenced by a successor with the same transactional id or after its transaction.timeout.ms'
              : `restoring ${topic}[${partition}] stalled at offset ${position} of ${highOffset} for ${timeoutMs} ms`,
          );
        }
      }
    } finally {
      this.#client.unassign();
    }
  }

  async #endOffsets(topic: string, partition: number, isolation: 'read_committed' | 'read_uncommitted'): Promise<Map<string, bigint>> {
    try {
      return await this.#admin.endOffsets([{ topic, partition }], isolation);
    } catch (error) {
      // After a broker restart the admin client can keep stale leader epochs ("Leader epoch is older
      // than broker epoch") and never refresh them: the caller retries, with a new client.
      this.#admin.close();
      this.#admin = new KafkaAdmin(this.#properties);
      throw error;
    }
  }

  close(): Promise<void> {
    this.#admin.close();
    return new Promise((resolvePromise) => this.#client.disconnect(() => resolvePromise()));
  }

  #consume(max: number): Promise<Message[]> {
    return new Promise((resolvePromise, reject) => {
      this.#client.consume(max, (error, messages) => (error ? reject(toKafkaError(error, 'reading for restore')) : resolvePromise(messages)));
    });
  }

  #watermarks(topic: string, partition: number, timeoutMs: number): Promise<{ lowOffset: number; highOffset: number }> {
    return new Promise((resolvePromise, reject) => {
      this.#client.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) =>
        error ? reject(toKafkaError(error, `reading the end offset of ${topic}[${partition}]`)) : resolvePromise(offsets),
      );
    });
  }
}
