import { BatchConsumer, type RebalanceChange } from './batch-consumer.js';
import { ConsumerLag } from './consumer-lag.js';
import { KafkaAdmin } from './kafka-admin.js';
import { KafkaClientError } from './kafka-error.js';
import { producerMessageMaxBytes, type KafkaProperties } from './kafka-config.js';
import { PartitionReader } from './partition-reader.js';
import { CODES, type Message, type TopicPartitionOffsetAndMetadata } from './rdkafka.js';
import { RecordProducer } from './record-producer.js';
import { TransactionalProducer, transactionFault } from './transactional-producer.js';
import { partitionKey } from '../partition-key.js';

/** A consumed record as the runtime reads it (offsets as bigint, headers as a map). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** A record to produce, as the runtime hands it over. */
export interface ProducedRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, Buffer>>;
}

interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

const NO_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({});
const OFFSET_BEGINNING = -2;

/**
 * The runtime's `StreamTransport` on librdkafka: a batch-polling group
 * member, a transactional (or plain idempotent) checkpoint writer, an admin
 * client and a partition reader for restores.
 *
 * @example
 * ```ts
 * const transport = kafkaStreamTransport({ 'bootstrap.servers': '127.0.0.1:9092' });
 * const runner = new TopologyRunner({ plan, transport, registry, resolveSchema, log, instanceId });
 * ```
 */
export function kafkaStreamTransport(properties: KafkaProperties) {
  let admin: KafkaAdmin | undefined;
  let reader: Promise<PartitionReader> | undefined;
  let restores: Promise<void> = Promise.resolve();
  const adminClient = (): KafkaAdmin => (admin ??= new KafkaAdmin(properties));
  const consumers = new WeakMap<object, BatchConsumer>();

  return {
    async ensureTopics(topics: readonly { name: string; partitions: number; config?: Readonly<Record<string, string>> }[]): Promise<void> {
      await adminClient().ensureTopics(topics);
    },

    partitionCounts(topics: readonly string[]): Promise<ReadonlyMap<string, number>> {
      return adminClient().partitionCounts(topics);
    },

    async recordLimits(topics: readonly string[]): Promise<{ topics: ReadonlyMap<string, number>; producer: number }> {
      // Configs unreadable over this connection (not PLAINTEXT): no topic's limit is known.
      const limits = (await adminClient().maxMessageBytes(topics)) ?? new Map<string, number>();
      return { topics: limits, producer: producerMessageMaxBytes(properties) };
    },

    async connectConsumer(groupId: string, topics: readonly string[], onChange: (change: RebalanceChange) => void, options: { staticMemberId?: string; coPartitioned?: boolean } = {}) {
      const membership: Record<string, string> = {
        ...(options.staticMemberId ? { 'group.instance.id': options.staticMemberId } : {}),
        // The range assignor hands out partition p of equally partitioned topics to one member, which a task reading
        // several topics needs; cooperative-sticky balances each topic on its own.
        ...(options.coPartitioned ? { 'partition.assignment.strategy': 'range' } : {}),
      };
      // End offsets reached per partition; a change of ownership or position makes them stale.
      const ends = new Map<string, bigint>();
      const forget = (partitions: readonly PartitionRef[]) => {
        for (const p of partitions) ends.delete(partitionKey(p.topic, p.partition));
      };
      const consumer = await BatchConsumer.connect({ ...properties, ...membership, 'group.id': groupId }, topics, {
        onRebalance: (change) => {
          forget(change.partitions);
          onChange(change);
        },
        onPartitionEnd: (end) => ends.set(partitionKey(end.topic, end.partition), BigInt(end.offset)),
      });
      // Against the high watermark, partitions not fetched yet included: true behind an open transaction.
      const lag = new ConsumerLag(consumer, adminClient);
      const port = {
        async poll(max: number, timeoutMs: number): Promise<ConsumedRecord[]> {
          const messages = await consumer.poll(max, timeoutMs);
          const records = new Array<ConsumedRecord>(messages.length);
          for (let i = 0; i < messages.length; i++) records[i] = toConsumedRecord(messages[i]!);
          return records;
        },
        pause: (partitions: readonly PartitionRef[]) => consumer.pause(partitions),
        resume: (partitions: readonly PartitionRef[]) => consumer.resume(partitions),
        seek: (p: PartitionRef, nextOffset: bigint | undefined) => {
          forget([p]);
          return consumer.seek({ topic: p.topic, partition: p.partition, offset: nextOffset === undefined ? OFFSET_BEGINNING : Number(nextOffset) });
        },
        async committed(partitions: readonly PartitionRef[]): Promise<ReadonlyMap<string, bigint | undefined>> {
          const offsets = await consumer.committed(partitions);
          return new Map(offsets.map((o) => [partitionKey(o.topic, o.partition), o.offset === undefined ? undefined : BigInt(o.offset)]));
        },
        async committedMetadata(partitions: readonly PartitionRef[]): Promise<ReadonlyMap<string, string>> {
          const offsets = await consumer.committed(partitions);
          const metadata = new Map<string, string>();
          for (const o of offsets) if (o.metadata !== undefined) metadata.set(partitionKey(o.topic, o.partition), o.metadata);
          return metadata;
        },
        assignment: () => consumer.assignment(),
        lag: () => lag.lag(),
        ends: (): ReadonlyMap<string, bigint> => ends,
        close: () => consumer.close(),
      };
      consumers.set(port, consumer);
      return port;
    },

    async connectWriter(options: { guarantee: 'exactly-once' | 'at-least-once'; transactionalId: string; consumer: object }) {
      const consumer = consumers.get(options.consumer);
      if (!consumer) throw new Error('connectWriter needs a consumer made by this transport');
      if (options.guarantee === 'exactly-once') {
        const producer = await TransactionalProducer.connect(properties, options.transactionalId);
        return {
          begin: () => producer.begin(),
          produce: (records: readonly ProducedRecord[]) => producer.produce(records),
          async commit(offsets: readonly { topic: string; partition: number; nextOffset: bigint; metadata?: string }[]) {
            await producer.sendOffsets(offsets.map(toOffsetAndMetadata), consumer);
            await producer.commit();
          },
          abort: () => producer.abort(),
          close: () => producer.close(),
        };
      }
      const producer = await RecordProducer.connect(properties);
      return {
        begin: async () => {},
        produce: (records: readonly ProducedRecord[]) => producer.produceAll(records),
        async commit(offsets: readonly { topic: string; partition: number; nextOffset: bigint; metadata?: string }[]) {
          await consumer.commit(offsets.map(toOffsetAndMetadata));
        },
        abort: async () => {},
        close: () => producer.close(),
      };
    },

    readPartition(topic: string, partition: number): Promise<ConsumedRecord[]> {
      // One reader serves every runner of the process; assign() is per reader, so restores take turns.
      const read = restores.then(async () => {
        reader ??= PartitionReader.connect(properties);
        const records: ConsumedRecord[] = [];
        for await (const batch of (await reader).readToEnd(topic, partition)) for (const m of batch) records.push(toConsumedRecord(m));
        return records;
      });
      restores = read.then(
        () => undefined,
        () => undefined,
      );
      return read;
    },

    purge(offsets: readonly { topic: string; partition: number; nextOffset: bigint }[]): Promise<void> {
      return adminClient().deleteRecordsBefore(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.nextOffset) })));
    },

    classify(error: unknown): 'retry' | 'fenced' | 'fatal' | 'permanent' {
      if (!(error instanceof KafkaClientError)) return 'retry';
      // The handle is unusable (e.g. a static consumer fenced after a broker restart): replace it.
      if (error.code === CODES.ERRORS.ERR__FATAL) return 'fatal';
      const fault = transactionFault(error);
      return fault === 'abortable' ? 'retry' : fault;
    },

    async close(): Promise<void> {
      admin?.close();
      if (reader) await (await reader).close();
    },
  };
}

function toConsumedRecord(m: Message): ConsumedRecord {
  let headers = NO_HEADERS;
  if (m.headers && m.headers.length > 0) {
    const map: Record<string, Buffer> = {};
    for (const header of m.headers) for (const [name, value] of Object.entries(header)) map[name] = Buffer.isBuffer(value) ? value : Buffer.from(value);
    headers = map;
  }
  const key = m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key);
  return { topic: m.topic, partition: m.partition, offset: BigInt(m.offset), timestamp: m.timestamp ?? 0, key, value: m.value, headers };
}

/** A commit position as librdkafka takes it, with the task's progress as the offset's metadata. */
function toOffsetAndMetadata(o: { readonly topic: string; readonly partition: number; readonly nextOffset: bigint; readonly metadata?: string }): TopicPartitionOffsetAndMetadata {
  return { topic: o.topic, partition: o.partition, offset: Number(o.nextOffset), ...(o.metadata === undefined ? {} : { metadata: o.metadata }) };
}
