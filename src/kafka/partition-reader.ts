import { KafkaConsumer, type KafkaConsumerClient, type Message } from './rdkafka.js';
import { toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';
import { KafkaAdmin } from './kafka-admin.js';

/**
 * Reads whole partitions from the beginning to the end offset they had when
 * the read started, outside any consumer group (`assign`, no commits) and
 * `read_committed` — how a task restores its window state from its partition
 * of the table topic.
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
   * Yields batches from the first offset up to the partition's last stable offset at the start of the
   * read. Fails when no progress is made for `timeoutMs`.
   */
  async *readToEnd(topic: string, partition: number, options: { batchSize?: number; timeoutMs?: number } = {}): AsyncGenerator<Message[]> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const { lowOffset } = await this.#watermarks(topic, partition, timeoutMs);
    // The last stable offset, not the high watermark: records of a transaction still open — a crashed
    // writer's, to be aborted — would never be delivered, and waiting for them would stall the restore.
    const highOffset = Number((await this.#lastStableOffsets(topic, partition)).get(`${topic}\u0000${partition}`) ?? 0n);
    if (highOffset <= lowOffset) return;
    this.#client.assign([{ topic, partition, offset: lowOffset }]);
    // Short: an empty poll here usually means only a transaction marker is left before the end.
    this.#client.setDefaultConsumeTimeout(100);
    let position = lowOffset;
    let deadline = Date.now() + timeoutMs;
    try {
      // Under read_committed, aborted records and transaction markers take offsets but are never
      // delivered, so "done" is the fetch position reaching the end, not a message at highOffset - 1.
      while (position < highOffset) {
        const messages = await this.#consume(options.batchSize ?? 5_000);
        if (messages.length > 0) {
          position = messages[messages.length - 1]!.offset + 1;
          deadline = Date.now() + timeoutMs;
          yield messages;
          continue;
        }
        const [current] = this.#client.position([{ topic, partition }]);
        if (current && typeof current.offset === 'number' && current.offset >= 0) position = Math.max(position, current.offset);
        if (Date.now() > deadline) throw new Error(`restoring ${topic}[${partition}] stalled at offset ${position} of ${highOffset} for ${timeoutMs} ms`);
      }
    } finally {
      this.#client.unassign();
    }
  }

  async #lastStableOffsets(topic: string, partition: number): Promise<Map<string, bigint>> {
    try {
      return await this.#admin.endOffsets([{ topic, partition }], 'read_committed');
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
