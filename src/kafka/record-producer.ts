import { setTimeout as sleep } from 'node:timers/promises';
import { CODES, Producer, type LibrdKafkaError, type MessageHeader, type ProducerClient } from './rdkafka.js';
import { KafkaClientError, toKafkaError } from './kafka-error.js';
import { PRODUCER_MESSAGE_MAX_BYTES, type KafkaProperties } from './kafka-config.js';

/** A record to write; `partition` undefined lets the murmur2 partitioner choose (Java's default). */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
}

/** Counts one batch's delivery reports; one object per batch, never per record. */
class DeliveryTracker {
  pending = 0;
  failure: KafkaClientError | undefined;
  done: (() => void) | undefined;
}

/**
 * A librdkafka producer that writes whole batches and resolves once every
 * record of the batch is acknowledged (or rejects with the first failure).
 *
 * @example
 * ```ts
 * const producer = await RecordProducer.connect({ 'bootstrap.servers': '127.0.0.1:9092' });
 * await producer.produceAll([{ topic: 'events', key: Buffer.from('k'), value: Buffer.from('v') }]);
 * await producer.close();
 * ```
 */
export class RecordProducer {
  readonly #client: ProducerClient;

  private constructor(client: ProducerClient) {
    this.#client = client;
  }

  /** Connects an idempotent producer; `properties` may override any librdkafka setting. */
  static connect(properties: KafkaProperties, options: { connectTimeoutMs?: number } = {}): Promise<RecordProducer> {
    const client = new Producer({
      'enable.idempotence': true,
      'linger.ms': 5,
      'compression.type': 'lz4',
      partitioner: 'murmur2_random',
      'message.max.bytes': PRODUCER_MESSAGE_MAX_BYTES,
      ...properties,
      dr_cb: true,
    });
    client.on('delivery-report', (error: LibrdKafkaError, report) => {
      const tracker = report.opaque as DeliveryTracker | undefined;
      if (!tracker) return;
      if (error && !tracker.failure) tracker.failure = toKafkaError(error, `delivering to ${report.topic}`);
      tracker.pending -= 1;
      if (tracker.pending === 0) tracker.done?.();
    });
    client.setPollInterval(20);
    return new Promise((resolvePromise, reject) => {
      client.connect({ timeout: options.connectTimeoutMs ?? 30_000 }, (error) => {
        if (error) reject(toKafkaError(error, 'connecting the producer'));
        else resolvePromise(new RecordProducer(client));
      });
    });
  }

  /** Queues every record, then waits for all delivery reports of this batch. */
  async produceAll(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const tracker = new DeliveryTracker();
    const delivered = new Promise<void>((resolvePromise) => (tracker.done = resolvePromise));
    for (const record of records) {
      tracker.pending += 1;
      await this.#enqueue(record, tracker);
    }
    await delivered;
    if (tracker.failure) throw tracker.failure;
  }

  async #enqueue(record: OutgoingRecord, tracker: DeliveryTracker): Promise<void> {
    const headers = headerList(record.headers);
    for (;;) {
      try {
        this.#client.produce(record.topic, record.partition ?? null, record.value, record.key, record.timestamp ?? null, tracker, headers);
        return;
      } catch (error) {
        // A full local queue is back-pressure, not a failure: let deliveries drain, then retry.
        if ((error as LibrdKafkaError).code !== CODES.ERRORS.ERR__QUEUE_FULL) {
          tracker.pending -= 1;
          throw toKafkaError(error as LibrdKafkaError, `producing to ${record.topic}`);
        }
        this.#client.poll();
        await sleep(5);
      }
    }
  }

  /** Flushes what is queued and disconnects. */
  close(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolvePromise) => {
      this.#client.flush(timeoutMs, () => this.#client.disconnect(() => resolvePromise()));
    });
  }
}

/**
 * Headers in the binding's list form; `undefined` when there are none, so a
 * record without headers costs no allocation (most outputs have none).
 *
 * @example
 * ```ts
 * headerList({ 'sluice.reason': Buffer.from('late') }); // [{ 'sluice.reason': <Buffer …> }]
 * headerList({});                                       // undefined
 * ```
 */
export function headerList(headers: Readonly<Record<string, string | Buffer>> | undefined): MessageHeader[] | undefined {
  if (headers === undefined) return undefined;
  let list: MessageHeader[] | undefined;
  for (const key in headers) (list ??= []).push({ [key]: headers[key]! });
  return list;
}
