import type { MessagePort } from 'node:worker_threads';
import type { RuntimeLog } from '../runtime/runtime-log.js';
import type { PartitionChange, StreamTransport } from '../runtime/stream-transport.js';
import { packedTransferList, packRecords, unpackOutputRecords } from './packed-records.js';
import { QueuedCheckpointWriter } from './queued-checkpoint-writer.js';
import { ReadAheadConsumer } from './read-ahead-consumer.js';
import type { PollReply, RemoteErrorData, TransportEvent, TransportNotice, TransportReply, TransportRequest } from './transport-protocol.js';
import { errorText } from '../error-text.js';

/**
 * Serves a {@link StreamTransport} to a processing thread over `port`: the
 * other end is {@link remoteStreamTransport}. The thread that owns the Kafka
 * client runs this; every call arrives as a message and is answered with its
 * result, polled batches and produced outputs travel packed.
 *
 * `close()` closes whatever consumers and writers the other thread left
 * open (it stopped, or died) and stops listening.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const server = serveStreamTransport(port1, kafkaStreamTransport(properties), log);
 * new Worker(entry, { workerData: { transportPort: port2 }, transferList: [port2] });
 * // … when the worker is done:
 * await server.close();
 * ```
 */
export function serveStreamTransport(port: MessagePort, transport: StreamTransport, log: RuntimeLog): { close(): Promise<void> } {
  const consumers = new Map<number, ReadAheadConsumer>();
  const writers = new Map<number, QueuedCheckpointWriter>();
  const pendingChanges = new Map<number, { readonly consumer: number; readonly change: PartitionChange }>();
  let nextChange = 1;
  let closed = false;

  const consumerOf = (id: number): ReadAheadConsumer => {
    const consumer = consumers.get(id);
    if (consumer === undefined) throw new Error(`no consumer ${id} on the Kafka thread (closed, or never connected)`);
    return consumer;
  };
  const writerOf = (id: number): QueuedCheckpointWriter => {
    const writer = writers.get(id);
    if (writer === undefined) throw new Error(`no checkpoint writer ${id} on the Kafka thread (closed, or never connected)`);
    return writer;
  };

  const handle = async (request: TransportRequest): Promise<{ value: unknown; transfer?: ArrayBuffer[] }> => {
    switch (request.op) {
      case 'ensureTopics':
        return { value: await transport.ensureTopics(request.topics) };
      case 'partitionCounts':
        return { value: await transport.partitionCounts(request.topics) };
      case 'recordLimits':
        return { value: await transport.recordLimits?.(request.topics) };
      case 'connectConsumer': {
        const id = request.consumer;
        const onChange = (change: PartitionChange): void => {
          const changeId = nextChange++;
          if (change.kind === 'revoked') pendingChanges.set(changeId, { consumer: id, change });
          const event: TransportEvent = { event: 'rebalance', consumer: id, change: changeId, kind: change.kind, partitions: change.partitions.map(({ topic, partition }) => ({ topic, partition })) };
          if (closed) change.done();
          else port.postMessage(event);
        };
        const options = { ...(request.staticMemberId === undefined ? {} : { staticMemberId: request.staticMemberId }), ...(request.coPartitioned ? { coPartitioned: true } : {}) };
        consumers.set(id, new ReadAheadConsumer(await transport.connectConsumer(request.groupId, request.topics, onChange, options)));
        return { value: undefined };
      }
      case 'poll': {
        const served = consumerOf(request.consumer);
        const batch = await served.poll(request.max, request.timeoutMs);
        const reply: PollReply = {
          chunks: batch.chunks,
          ends: [...batch.ends],
          assignment: served.consumer.assignment(),
          ...(request.lag ? { lag: served.consumer.lag() } : {}),
        };
        return { value: reply, transfer: batch.chunks.flatMap(packedTransferList) };
      }
      case 'seek':
        return { value: await consumerOf(request.consumer).seek(request.partition, request.nextOffset) };
      case 'committed':
        return { value: await consumerOf(request.consumer).consumer.committed(request.partitions) };
      case 'committedMetadata': {
        const consumer = consumerOf(request.consumer).consumer;
        return { value: consumer.committedMetadata === undefined ? new Map<string, string>() : await consumer.committedMetadata(request.partitions) };
      }
      case 'closeConsumer': {
        const consumer = consumers.get(request.consumer);
        consumers.delete(request.consumer);
        return { value: await consumer?.close() };
      }
      case 'connectWriter': {
        const writer = await transport.connectWriter({ guarantee: request.guarantee, transactionalId: request.transactionalId, consumer: consumerOf(request.consumer).consumer });
        writers.set(request.writer, new QueuedCheckpointWriter(writer));
        return { value: undefined };
      }
      case 'commit':
        return { value: await writerOf(request.writer).commit(request.offsets) };
      case 'abort':
        return { value: await writerOf(request.writer).abort() };
      case 'closeWriter': {
        const writer = writers.get(request.writer);
        writers.delete(request.writer);
        return { value: await writer?.close() };
      }
      case 'readPartition': {
        const records = packRecords(await transport.readPartition(request.topic, request.partition));
        return { value: records, transfer: packedTransferList(records) };
      }
      case 'purge':
        return { value: await transport.purge?.(request.offsets) };
    }
  };

  const asErrorData = (error: unknown): RemoteErrorData => {
    const code = (error as { code?: unknown } | null)?.code;
    return {
      name: error instanceof Error ? error.name : 'Error',
      message: errorText(error),
      fault: transport.classify(error),
      ...(typeof code === 'number' ? { code } : {}),
    };
  };

  const onNotice = (notice: TransportNotice): void => {
    let applied: Promise<void> | undefined;
    if (notice.op === 'produce' || notice.op === 'begin') {
      const writer = writers.get(notice.writer);
      if (writer === undefined) log('warn', `${notice.op} on checkpoint writer ${notice.writer}, which is closed or was never connected`);
      else if (notice.op === 'begin') writer.beginLater();
      else writer.produceLater(unpackOutputRecords(notice.records));
    } else if (notice.op === 'release') {
      const pending = pendingChanges.get(notice.change);
      pendingChanges.delete(notice.change);
      if (pending) applied = consumers.get(pending.consumer)?.release(pending.change) ?? Promise.resolve(pending.change.done());
    } else if (notice.op === 'pause') applied = consumers.get(notice.consumer)?.pause(notice.partitions);
    else applied = consumers.get(notice.consumer)?.resume(notice.partitions);
    applied?.catch((error: unknown) => log('warn', `${notice.op} failed on the Kafka thread`, { error: errorText(error) }));
  };

  const onMessage = (message: TransportRequest | TransportNotice): void => {
    if (!('id' in message)) return onNotice(message);
    handle(message).then(
      ({ value, transfer }) => {
        if (!closed) port.postMessage({ id: message.id, ok: true, value } satisfies TransportReply, transfer ?? []);
      },
      (error: unknown) => {
        if (!closed) port.postMessage({ id: message.id, ok: false, error: asErrorData(error) } satisfies TransportReply);
      },
    );
  };
  port.on('message', onMessage);

  return {
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      port.off('message', onMessage);
      port.close();
      for (const { change } of pendingChanges.values()) change.done();
      pendingChanges.clear();
      for (const writer of writers.values()) await writer.close().catch(() => {});
      writers.clear();
      for (const consumer of consumers.values()) await consumer.close().catch(() => {});
      consumers.clear();
    },
  };
}
