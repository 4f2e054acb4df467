import { setTimeout as sleep } from 'node:timers/promises';
import { CODES, Producer, type LibrdKafkaError, type ProducerClient, type TopicPartitionOffset } from './rdkafka.js';
import { KafkaClientError, toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';
import type { BatchConsumer } from './batch-consumer.js';
import { headerList, type OutgoingRecord } from './record-producer.js';

/**
 * What went wrong with a transaction, and therefore what the caller must do:
 * `abortable` — abort, rewind the consumer to the committed offsets, retry;
 * `fenced` — another instance owns this transactional id: stop cleanly;
 * `fatal` — the producer is unusable: close it and create a new one.
 */
export type TransactionFault = 'abortable' | 'fenced' | 'fatal';

/** Classifies a transaction error, see {@link TransactionFault}. */
export function transactionFault(error: KafkaClientError): TransactionFault {
  if (error.code === CODES.ERRORS.ERR__FENCED || error.code === CODES.ERRORS.ERR_PRODUCER_FENCED || error.code === CODES.ERRORS.ERR_INVALID_PRODUCER_EPOCH) {
    return 'fenced';
  }
  if (error.isFatal) return 'fatal';
  return 'abortable';
}

/**
 * A librdkafka transactional producer: outputs of one batch and the input
 * offsets commit together, or not at all.
 *
 * @example
 * ```ts
 * const producer = await TransactionalProducer.connect({ 'bootstrap.servers': b }, 'bus-telemetry-0');
 * producer.begin();
 * await producer.produce(outputs);
 * await producer.sendOffsets([{ topic: 'bus.telemetry', partition: 0, offset: 1201 }], consumer);
 * await producer.commit();
 * ```
 */
export class TransactionalProducer {
  readonly #client: ProducerClient;
  readonly #timeoutMs: number;

  private constructor(client: ProducerClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  /** Connects and runs `initTransactions`, which fences any older producer with the same id. */
  static async connect(properties: KafkaProperties, transactionalId: string, options: { timeoutMs?: number } = {}): Promise<TransactionalProducer> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const client = new Producer({
      'linger.ms': 5,
      'compression.type': 'lz4',
      partitioner: 'murmur2_random',
      // Longer than a broker outage we ride out: when it runs out the coordinator aborts the open
      // transaction and bumps the epoch, which librdkafka reports as fenced. A crashed writer's open
      // transaction blocks read_committed readers this long at most, unless a successor with the same
      // id (a stable --instance-id) fences it at once; restores stop at the last stable offset.
      'transaction.timeout.ms': 60_000,
      ...properties,
      'transactional.id': transactionalId,
      'enable.idempotence': true,
      dr_cb: false,
    });
    client.setPollInterval(20);
    await new Promise<void>((resolvePromise, reject) => {
      client.connect({ timeout: timeoutMs }, (error) => (error ? reject(toKafkaError(error, 'connecting the transactional producer')) : resolvePromise()));
    });
    await callback<void>((cb) => client.initTransactions(timeoutMs, cb), `initialising transactions for ${transactionalId}`);
    return new TransactionalProducer(client, timeoutMs);
  }

  begin(): Promise<void> {
    return callback<void>((cb) => this.#client.beginTransaction(cb), 'beginning a transaction');
  }

  /** Queues records into the open transaction; delivery is confirmed by {@link commit}. */
  async produce(records: readonly OutgoingRecord[]): Promise<void> {
    for (const record of records) {
      const headers = headerList(record.headers);
      for (;;) {
        try {
          this.#client.produce(record.topic, record.partition ?? null, record.value, record.key, record.timestamp ?? null, undefined, headers);
          break;
        } catch (error) {
          if ((error as LibrdKafkaError).code !== CODES.ERRORS.ERR__QUEUE_FULL) throw toKafkaError(error as LibrdKafkaError, `producing to ${record.topic}`);
          this.#client.poll();
          await sleep(5);
        }
      }
    }
  }

  /** Adds the consumer's next offsets to the transaction (group metadata included, so zombies are fenced). */
  sendOffsets(offsets: readonly TopicPartitionOffset[], consumer: BatchConsumer): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return callback<void>(
      (cb) => this.#client.sendOffsetsToTransaction([...offsets], consumer.client, this.#timeoutMs, cb),
      'sending offsets to the transaction',
    );
  }

  /** Flushes and commits; a timeout is an unknown outcome: the caller aborts and rewinds. */
  commit(): Promise<void> {
    return callback<void>((cb) => this.#client.commitTransaction(this.#timeoutMs, cb), 'committing the transaction');
  }

  abort(): Promise<void> {
    return callback<void>((cb) => this.#client.abortTransaction(this.#timeoutMs, cb), 'aborting the transaction');
  }

  close(): Promise<void> {
    return new Promise((resolvePromise) => this.#client.disconnect(5_000, () => resolvePromise()));
  }
}

function callback<T>(call: (cb: (error: LibrdKafkaError) => void) => void, doing: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    call((error) => (error ? reject(toKafkaError(error, doing)) : resolvePromise(undefined as T)));
  });
}
