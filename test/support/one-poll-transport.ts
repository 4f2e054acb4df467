import type { CheckpointWriter, PartitionChange, StreamConsumer, StreamTransport, TopicPartitionRef } from '../../src/runtime/stream-transport.js';
import type { InputRecord } from '../../src/runtime/records.js';

/**
 * A transport for runner unit tests: the first poll assigns `assigned` (the
 * rebalance served inside the poll, as librdkafka does) and returns
 * `records`; the second aborts `stop`, so `runner.run(stop.signal)` ends
 * after one checkpoint. Every topic has `partitions` partitions.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const transport = onePollTransport({ assigned: [{ topic: 'rides', partition: 0 }], records, writer, stop, partitions: 1 });
 * ```
 */
export function onePollTransport(options: {
  readonly assigned: readonly TopicPartitionRef[];
  readonly records: readonly InputRecord[];
  readonly writer: CheckpointWriter;
  readonly stop: AbortController;
  readonly partitions: number;
}): StreamTransport {
  const { assigned, records, writer, stop, partitions } = options;
  let onChange: (change: PartitionChange) => void = () => {};
  let polls = 0;
  const consumer: StreamConsumer = {
    async poll() {
      polls += 1;
      if (polls === 1) {
        onChange({ kind: 'assigned', partitions: assigned, done: () => {} });
        return [...records];
      }
      stop.abort();
      return [];
    },
    pause: () => {},
    resume: () => {},
    seek: async () => {},
    committed: async () => new Map(),
    assignment: () => [...assigned],
    lag: () => [],
    ends: () => new Map(),
    close: async () => {},
  };
  return {
    ensureTopics: async () => {},
    partitionCounts: async (topics) => new Map(topics.map((t) => [t, partitions])),
    connectConsumer: async (_group, _topics, listener) => {
      onChange = listener;
      return consumer;
    },
    connectWriter: async () => writer,
    readPartition: async () => [],
    classify: () => 'retry',
  };
}
