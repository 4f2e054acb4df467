import { MessageChannel } from 'node:worker_threads';
import type { CommitOffset, InputRecord, OutputRecord } from 'sluice';
import { afterEach, describe, expect, test } from 'vitest';
import type { CheckpointFault, CheckpointWriter, PartitionChange, StreamConsumer, StreamTransport, TopicPartitionRef } from '../../../src/runtime/stream-transport.js';
import { RemoteTransportError, remoteStreamTransport } from '../../../src/worker/remote-stream-transport.js';
import { serveStreamTransport } from '../../../src/worker/serve-stream-transport.js';
import { partitionKey } from '../../../src/partition-key.js';

const record = (partition: number, offset: number, headers: Record<string, Buffer> = {}): InputRecord => ({
  topic: 'in',
  partition,
  offset: BigInt(offset),
  timestamp: 1_000 + offset,
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(`v${offset}`),
  headers,
});

class CodedError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

/** An in-memory transport: consumers serve queued batches, writers log what they are asked. */
function fakeTransport() {
  const batches: InputRecord[][] = [];
  const log: string[] = [];
  const produced: OutputRecord[] = [];
  let onChange: ((change: PartitionChange) => void) | undefined;
  let failNextPoll: Error | undefined;
  const consumer: StreamConsumer = {
    async poll(max: number): Promise<InputRecord[]> {
      if (failNextPoll) {
        const error = failNextPoll;
        failNextPoll = undefined;
        throw error;
      }
      const batch = batches.shift() ?? [];
      if (batch.length > max) batches.unshift(batch.splice(max));
      return batch;
    },
    pause: (p: readonly TopicPartitionRef[]) => void log.push(`pause ${p.map((x) => x.partition)}`),
    resume: (p: readonly TopicPartitionRef[]) => void log.push(`resume ${p.map((x) => x.partition)}`),
    seek: async (p: TopicPartitionRef, offset: bigint | undefined) => void log.push(`seek ${p.partition} ${offset}`),
    committed: async () => new Map([[partitionKey('in', 0), 7n], [partitionKey('in', 1), undefined]]),
    assignment: () => [{ topic: 'in', partition: 0 }],
    lag: () => [{ topic: 'in', partition: 0, records: 42 }],
    ends: () => new Map([[partitionKey('in', 0), 9n]]),
    close: async () => void log.push('consumer closed'),
  };
  const writer: CheckpointWriter = {
    begin: async () => void log.push('begin'),
    produce: async (records: readonly OutputRecord[]) => {
      log.push(`produce ${records.length}`);
      produced.push(...records);
    },
    commit: async (offsets: readonly CommitOffset[]) => void log.push(`commit ${offsets.map((o) => `${o.partition}:${o.nextOffset}`)}`),
    abort: async () => void log.push('abort'),
    close: async () => void log.push('writer closed'),
  };
  const transport: StreamTransport = {
    ensureTopics: async (topics) => void log.push(`ensure ${topics.map((t) => t.name)}`),
    partitionCounts: async (topics) => new Map(topics.map((t) => [t, 6])),
    connectConsumer: async (_group, _topics, listener) => {
      onChange = listener;
      return consumer;
    },
    connectWriter: async (options) => {
      if (options.consumer !== consumer) throw new Error('not my consumer');
      return writer;
    },
    readPartition: async (_topic, partition) => [record(partition, 0), record(partition, 1)],
    classify: (error: unknown): CheckpointFault => (error instanceof CodedError && error.code === -150 ? 'fatal' : 'retry'),
  };
  return {
    transport,
    batches,
    log,
    produced,
    failPoll: (error: Error) => (failNextPoll = error),
    rebalance: (change: PartitionChange) => onChange?.(change),
  };
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

function connect() {
  const fake = fakeTransport();
  const { port1, port2 } = new MessageChannel();
  const server = serveStreamTransport(port1, fake.transport, () => {});
  const remote = remoteStreamTransport(port2);
  cleanups.push(() => remote.close(), () => server.close());
  return { fake, server, remote };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('remoteStreamTransport over serveStreamTransport', () => {
  test('admin calls and restores return what the serving transport returns', async () => {
    const { fake, remote } = connect();
    await remote.ensureTopics([{ name: 'a', partitions: 1 }]);
    expect(fake.log).toContain('ensure a');
    expect(await remote.partitionCounts(['a', 'b'])).toEqual(new Map([['a', 6], ['b', 6]]));
    expect(await remote.readPartition('t', 3)).toEqual([record(3, 0), record(3, 1)]);
  });

  test('polls bring the records, the end offsets, the assignment and (now and then) the lag', async () => {
    const { fake, remote } = connect();
    fake.batches.push([record(0, 0), record(0, 1, { 'sluice.event-time': Buffer.from('5') })]);
    const consumer = await remote.connectConsumer('g', ['in'], () => {});
    expect(await consumer.poll(100, 10)).toEqual([record(0, 0), record(0, 1, { 'sluice.event-time': Buffer.from('5') })]);
    expect(consumer.ends?.()).toEqual(new Map([[partitionKey('in', 0), 9n]]));
    expect(consumer.assignment()).toEqual([{ topic: 'in', partition: 0 }]);
    expect(consumer.lag()).toEqual([{ topic: 'in', partition: 0, records: 42 }]);
    expect(await consumer.committed([{ topic: 'in', partition: 0 }])).toEqual(new Map([[partitionKey('in', 0), 7n], [partitionKey('in', 1), undefined]]));
    consumer.pause([{ topic: 'in', partition: 0 }]);
    await consumer.seek({ topic: 'in', partition: 0 }, 3n);
    expect(fake.log).toEqual(expect.arrayContaining(['pause 0', 'seek 0 3']));
  });

  test('a revocation reaches the runner, and is released on the serving side only when the runner says done', async () => {
    const { fake, remote } = connect();
    const changes: PartitionChange[] = [];
    const consumer = await remote.connectConsumer('g', ['in'], (change) => changes.push(change));
    let released = false;
    fake.rebalance({ kind: 'revoked', partitions: [{ topic: 'in', partition: 0 }], done: () => (released = true) });
    await until(() => changes.length === 1);
    expect(changes[0]).toMatchObject({ kind: 'revoked', partitions: [{ topic: 'in', partition: 0 }] });
    expect(consumer.assignment()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    changes[0]!.done();
    await until(() => released);
  });

  test('begin, produce and commit arrive in order with the records intact; a failed call keeps its fault', async () => {
    const { fake, remote } = connect();
    const consumer = await remote.connectConsumer('g', ['in'], () => {});
    const writer = await remote.connectWriter({ guarantee: 'exactly-once', transactionalId: 'g-1', consumer });
    const outputs: OutputRecord[] = [
      { topic: 'table', partition: 2, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 9, headers: {} },
      { topic: 'repartition', partition: undefined, key: Buffer.from('k2'), value: null, timestamp: 10, headers: { h: Buffer.from('x') } },
    ];
    await writer.begin();
    await writer.produce(outputs.slice(0, 1));
    await writer.produce(outputs.slice(1));
    await writer.commit([{ topic: 'in', partition: 0, nextOffset: 2n }]);
    expect(fake.log.filter((l) => /begin|produce|commit/.test(l))).toEqual(['begin', 'produce 1', 'produce 1', 'commit 0:2']);
    expect(fake.produced).toEqual(outputs);

    fake.failPoll(new CodedError('Local: Fatal error', -150));
    const error = await consumer.poll(10, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteTransportError);
    expect(error).toMatchObject({ message: 'Local: Fatal error', code: -150, fault: 'fatal', name: 'CodedError' });
    expect(remote.classify(error)).toBe('fatal');
    expect(remote.classify(new Error('a decoding bug on this side'))).toBe('retry');
  });

  test('closing the server closes what the other side left open', async () => {
    const { fake, remote, server } = connect();
    const consumer = await remote.connectConsumer('g', ['in'], () => {});
    await remote.connectWriter({ guarantee: 'exactly-once', transactionalId: 'g-1', consumer });
    await server.close();
    expect(fake.log).toEqual(expect.arrayContaining(['writer closed', 'consumer closed']));
  });
});
