import type { MessagePort } from 'node:worker_threads';
import type { CommitOffset, InputRecord, OutputRecord } from '../runtime/records.js';
import type {
  CheckpointFault,
  CheckpointWriter,
  ConsumerOptions,
  DeliveryGuarantee,
  PartitionChange,
  RecordLimits,
  StreamConsumer,
  StreamTransport,
  TopicPartitionRef,
} from '../runtime/stream-transport.js';
import { packedTransferList, packRecords, unpackInputRecords, type PackedRecords } from './packed-records.js';
import type { PollReply, RemoteErrorData, TransportEvent, TransportNotice, TransportReply, TransportRequest } from './transport-protocol.js';
import { partitionKey } from '../partition-key.js';

/**
 * A transport call that failed on the thread that owns the Kafka client,
 * with that thread's classification of the fault.
 *
 * @example
 * ```ts
 * try { await consumer.poll(100, 100); } catch (e) { if (e instanceof RemoteTransportError) e.fault; } // 'retry'
 * ```
 */
export class RemoteTransportError extends Error {
  readonly fault: CheckpointFault;
  readonly code: number | undefined;

  constructor(data: RemoteErrorData) {
    super(data.message);
    this.name = data.name;
    this.fault = data.fault;
    this.code = data.code;
  }
}

// Distributive, so each request keeps its own fields once the id is left out.
type Call<R> = R extends unknown ? Omit<R, 'id'> : never;

/** Lag is asked of the owning thread at most this often; the runner reads it every few seconds. */
const LAG_EVERY_MS = 1_000;

/**
 * A {@link StreamTransport} whose calls are carried out on another thread —
 * the one that owns the Kafka client — through `port` (the other end runs
 * {@link serveStreamTransport}). A topology runner on a processing thread
 * uses it exactly like the librdkafka transport: polled batches arrive
 * packed and are unpacked here, outputs are packed here and produced there,
 * and errors keep the owning thread's classification.
 *
 * What the consumer contract reads synchronously — assignment, lag, end
 * offsets — comes with each poll's answer and rebalance event.
 *
 * @example
 * ```ts
 * const transport = remoteStreamTransport(workerData.transportPort);
 * const runner = new TopologyRunner({ plan, transport, registry, resolveSchema, log, instanceId });
 * ```
 */
export function remoteStreamTransport(port: MessagePort): StreamTransport & { close(): void } {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const rebalanceListeners = new Map<number, (event: TransportEvent) => void>();
  const consumerIds = new WeakMap<object, number>();
  let nextId = 1;
  let nextHandle = 1;

  port.on('message', (message: TransportReply | TransportEvent) => {
    if ('event' in message) return rebalanceListeners.get(message.consumer)?.(message);
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new RemoteTransportError(message.error));
  });

  const call = <T>(request: Call<TransportRequest>, transfer: ArrayBuffer[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      port.postMessage({ ...request, id }, transfer);
    });
  const notify = (notice: TransportNotice, transfer: ArrayBuffer[] = []): void => port.postMessage(notice, transfer);

  const connectConsumer = async (groupId: string, topics: readonly string[], onChange: (change: PartitionChange) => void, options: ConsumerOptions = {}): Promise<StreamConsumer> => {
    const id = nextHandle++;
    let assignment: TopicPartitionRef[] = [];
    let ends: ReadonlyMap<string, bigint> = new Map();
    let lag: ReturnType<StreamConsumer['lag']> = [];
    let lagAskedAt = 0;
    rebalanceListeners.set(id, (event) => {
      const partitions = event.partitions;
      if (event.kind === 'assigned') {
        const known = new Set(assignment.map((p) => partitionKey(p.topic, p.partition)));
        assignment = [...assignment, ...partitions.filter((p) => !known.has(partitionKey(p.topic, p.partition)))];
        onChange({ kind: 'assigned', partitions, done: () => {} });
      } else {
        const gone = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
        assignment = assignment.filter((p) => !gone.has(partitionKey(p.topic, p.partition)));
        let released = false;
        onChange({
          kind: 'revoked',
          partitions,
          done: () => {
            if (released) return;
            released = true;
            notify({ op: 'release', change: event.change });
          },
        });
      }
    });
    await call<void>({ op: 'connectConsumer', consumer: id, groupId, topics, ...(options.staticMemberId === undefined ? {} : { staticMemberId: options.staticMemberId }), ...(options.coPartitioned ? { coPartitioned: true } : {}) }).catch((error: unknown) => {
      rebalanceListeners.delete(id);
      throw error;
    });
    const consumer: StreamConsumer = {
      async poll(max: number, timeoutMs: number): Promise<InputRecord[]> {
        const now = Date.now();
        const askLag = now - lagAskedAt >= LAG_EVERY_MS;
        if (askLag) lagAskedAt = now;
        const reply = await call<PollReply>({ op: 'poll', consumer: id, max, timeoutMs, lag: askLag });
        assignment = [...reply.assignment];
        ends = new Map(reply.ends);
        if (reply.lag !== undefined) lag = [...reply.lag];
        if (reply.chunks.length === 1) return unpackInputRecords(reply.chunks[0]!);
        const records: InputRecord[] = [];
        for (const chunk of reply.chunks) for (const record of unpackInputRecords(chunk)) records.push(record);
        return records;
      },
      pause: (partitions) => notify({ op: 'pause', consumer: id, partitions: plain(partitions) }),
      resume: (partitions) => notify({ op: 'resume', consumer: id, partitions: plain(partitions) }),
      seek: (partition, nextOffset) => call<void>({ op: 'seek', consumer: id, partition: { topic: partition.topic, partition: partition.partition }, nextOffset }),
      committed: (partitions) => call<ReadonlyMap<string, bigint | undefined>>({ op: 'committed', consumer: id, partitions: plain(partitions) }),
      committedMetadata: (partitions) => call<ReadonlyMap<string, string>>({ op: 'committedMetadata', consumer: id, partitions: plain(partitions) }),
      assignment: () => [...assignment],
      lag: () => lag,
      ends: () => ends,
      async close(): Promise<void> {
        try {
          await call<void>({ op: 'closeConsumer', consumer: id });
        } finally {
          rebalanceListeners.delete(id);
        }
      },
    };
    consumerIds.set(consumer, id);
    return consumer;
  };

  const connectWriter = async (options: { guarantee: DeliveryGuarantee; transactionalId: string; consumer: StreamConsumer }): Promise<CheckpointWriter> => {
    const consumer = consumerIds.get(options.consumer);
    if (consumer === undefined) throw new Error('connectWriter needs a consumer made by this transport');
    const writer = nextHandle++;
    await call<void>({ op: 'connectWriter', writer, consumer, guarantee: options.guarantee, transactionalId: options.transactionalId });
    return {
      // Sent, not awaited, like produce: the commit reports a failure.
      begin: async () => notify({ op: 'begin', writer }),
      // The owning thread produces while this one goes on.
      async produce(records: readonly OutputRecord[]): Promise<void> {
        if (records.length === 0) return;
        const packed = packRecords(records);
        notify({ op: 'produce', writer, records: packed }, packedTransferList(packed));
      },
      commit: (offsets: readonly CommitOffset[]) =>
        call<void>({
          op: 'commit',
          writer,
          offsets: offsets.map(({ topic, partition, nextOffset, metadata }) => (metadata === undefined ? { topic, partition, nextOffset } : { topic, partition, nextOffset, metadata })),
        }),
      abort: () => call<void>({ op: 'abort', writer }),
      close: () => call<void>({ op: 'closeWriter', writer }),
    };
  };

  return {
    ensureTopics: (topics) => call<void>({ op: 'ensureTopics', topics }),
    partitionCounts: (topics) => call<ReadonlyMap<string, number>>({ op: 'partitionCounts', topics }),
    recordLimits: (topics) => call<RecordLimits | undefined>({ op: 'recordLimits', topics }),
    connectConsumer,
    connectWriter,
    readPartition: async (topic, partition) => unpackInputRecords(await call<PackedRecords>({ op: 'readPartition', topic, partition })),
    purge: (offsets) => call<void>({ op: 'purge', offsets: offsets.map(({ topic, partition, nextOffset }) => ({ topic, partition, nextOffset })) }),
    classify: (error: unknown): CheckpointFault => (error instanceof RemoteTransportError ? error.fault : 'retry'),
    close(): void {
      for (const waiting of pending.values()) waiting.reject(new Error('the transport to the Kafka thread was closed'));
      pending.clear();
      port.close();
    },
  };
}

function plain(partitions: readonly TopicPartitionRef[]): TopicPartitionRef[] {
  return partitions.map(({ topic, partition }) => ({ topic, partition }));
}
