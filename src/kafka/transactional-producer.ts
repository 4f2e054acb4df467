import { setTimeout as sleep } from 'node:timers/promises';
import { CODES, Producer, type LibrdKafkaError, type ProducerClient, type TopicPartitionOffset } from './rdkafka.js';
import { isPermanentProduceError, KafkaClientError, toKafkaError } from './kafka-error.js';
import { PRODUCER_MESSAGE_MAX_BYTES, type KafkaProperties } from './kafka-config.js';
import type { BatchConsumer } from './batch-consumer.js';
import { headerList, type OutgoingRecord } from './record-producer.js';

/**
 * What went wrong with a transaction, and therefore what the caller must do:
 * `abortable` — abort, rewind the consumer to the committed offsets, retry;
 * `fenced` — another instance owns this transactional id: stop cleanly;
 * `fatal` — the producer is unusable: close it and create a new one;
 * `permanent` — a record its topic (or the producer) refuses for its size:
 * every retry fails the same way, so stop and say what to change.
 */
export type TransactionFault = 'abortable' | 'fenced' | 'fatal' | 'permanent';

/** `transaction.timeout.ms` unless the properties set it (see {@link TransactionalProducer.connect}). */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

/** Classifies a transaction error, see {@link TransactionFault}. */
export function transactionFault(error: KafkaClientError): TransactionFault {
  if (error.code === CODES.ERRORS.ERR__FENCED || error.code === CODES.ERRORS.ERR_PRODUCER_FENCED || error.code === CODES.ERRORS.ERR_INVALID_PRODUCER_EPOCH) {
    return 'fenced';
  }
  if (error.isFatal) return 'fatal';
  if (isPermanentProduceError(error)) return 'permanent';
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
  readonly #transactionTimeoutMs: number;
  /** When the open transaction began (undefined between transactions). */
  #openedAt: number | undefined;
  /** The coordinator aborted our transaction for running too long: this producer is done, a new one carries on. */
  #expired: KafkaClientError | undefined;

  private constructor(client: ProducerClient, timeoutMs: number, transactionTimeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#transactionTimeoutMs = transactionTimeoutMs;
  }

  /** Connects and runs `initTransactions`, which fences any older producer with the same id. */
  static async connect(properties: KafkaProperties, transactionalId: string, options: { timeoutMs?: number } = {}): Promise<TransactionalProducer> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const transactionTimeoutMs = Number(properties['transaction.timeout.ms'] ?? DEFAULT_TRANSACTION_TIMEOUT_MS);
    const client = new Producer({
      'linger.ms': 5,
      'compression.type': 'lz4',
      partitioner: 'murmur2_random',
      'message.max.bytes': PRODUCER_MESSAGE_MAX_BYTES,
      // A crashed writer's open transaction holds back every read_committed reader of what it wrote
      // (the repartition topic, so the windowed stage; restores, which wait for it) until a successor
      // with the same transactional id fences it (`sluice run` reuses its id across restarts) or this
      // runs out. 10 s, as Kafka Streams under exactly-once: shorter than the 15 s session timeout, so
      // the transaction is gone by the time another member gets the dead one's partitions. One of ours
      // that runs longer (a broker outage mid-transaction) is aborted by the coordinator, which
      // librdkafka reports as fenced: see #expiredOr, the checkpoint is retried on a new producer.
      ...properties,
      'transaction.timeout.ms': transactionTimeoutMs,
      'transactional.id': transactionalId,
      'enable.idempotence': true,
      dr_cb: false,
    });
    client.setPollInterval(20);
    await new Promise<void>((resolvePromise, reject) => {
      client.connect({ timeout: timeoutMs }, (error) => (error ? reject(toKafkaError(error, 'connecting the transactional producer')) : resolvePromise()));
    });
    await callback<void>((cb) => client.initTransactions(timeoutMs, cb), `initialising transactions for ${transactionalId}`);
    return new TransactionalProducer(client, timeoutMs, transactionTimeoutMs);
  }

  async begin(): Promise<void> {
    if (this.#expired) throw this.#expired;
    await this.#expiredOr(callback<void>((cb) => this.#client.beginTransaction(cb), 'beginning a transaction'));
    this.#openedAt = Date.now();
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
          if ((error as LibrdKafkaError).code !== CODES.ERRORS.ERR__QUEUE_FULL) throw this.#expiredError(toKafkaError(error as LibrdKafkaError, `producing to ${record.topic}`));
          this.#client.poll();
          await sleep(5);
        }
      }
    }
  }

  /** Adds the consumer's next offsets to the transaction (group metadata included, so zombies are fenced). */
  sendOffsets(offsets: readonly TopicPartitionOffset[], consumer: BatchConsumer): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return this.#expiredOr(
      callback<void>((cb) => this.#client.sendOffsetsToTransaction([...offsets], consumer.client, this.#timeoutMs, cb), 'sending offsets to the transaction'),
    );
  }

  /** Flushes and commits; a timeout is an unknown outcome: the caller aborts and rewinds. */
  async commit(): Promise<void> {
    await this.#expiredOr(callback<void>((cb) => this.#client.commitTransaction(this.#timeoutMs, cb), 'committing the transaction'));
    this.#openedAt = undefined;
  }

  /** Aborts the open transaction; on a producer whose transaction the coordinator expired, rejects (not as fenced): replace it. */
  async abort(): Promise<void> {
    if (this.#expired) throw this.#expired;
    await this.#expiredOr(callback<void>((cb) => this.#client.abortTransaction(this.#timeoutMs, cb), 'aborting the transaction'));
    this.#openedAt = undefined;
  }

  /** True once the coordinator has aborted one of this producer's transactions for outliving `transaction.timeout.ms`. */
  get expired(): boolean {
    return this.#expired !== undefined;
  }

  async #expiredOr(operation: Promise<void>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      throw this.#expiredError(error instanceof KafkaClientError ? error : toKafkaError(error as LibrdKafkaError, 'transaction'));
    }
  }

  /**
   * The coordinator aborts a transaction open longer than `transaction.timeout.ms` and bumps the
   * producer epoch; librdkafka then reports this producer as fenced, exactly as when another instance
   * took its transactional id over. Which one it was is told by how long our transaction has been
   * open: past the timeout it is ours that expired — not a reason to stop but to abort, rewind and
   * carry on with a new producer (same id, next epoch). The error returned then is retriable and
   * not `fenced`; any later call on this producer fails with it.
   */
  #expiredError(error: KafkaClientError): KafkaClientError {
    if (this.#expired) return this.#expired;
    if (transactionFault(error) !== 'fenced' || this.#openedAt === undefined) return error;
    const openMs = Date.now() - this.#openedAt;
    if (openMs < this.#transactionTimeoutMs) return error;
    this.#expired = new KafkaClientError(
      `${error.message} — the transaction was open ${openMs} ms, longer than transaction.timeout.ms (${this.#transactionTimeoutMs} ms): ` +
        'the coordinator aborted it; the checkpoint is retried on a new producer',
      { code: CODES.ERRORS.ERR__TIMED_OUT, isRetriable: true, isFatal: false, isTxnRequiresAbort: true },
    );
    return this.#expired;
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
