import { count, plan, topology, tumbling, type InputRecord } from 'sluice';
import { InMemorySchemaRegistry } from 'sluice/testing';
import { expect, test } from 'vitest';
import type { CheckpointWriter, TopicPartitionRef } from '../../../src/runtime/stream-transport.js';
import { onePollTransport } from '../../support/one-poll-transport.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import { AvroCodec } from '../../../src/serde/index.js';

const SOURCE = 'rides';
const schema = { type: 'record', name: 'Ride', fields: [{ name: 'route', type: 'string' }, { name: 'at', type: 'long' }] } as const;
// groupBy re-keys through a repartition topic read by a window: the source partitions are event-time aligned.
const ridesPlan = plan(
  topology('rides')
    .source<{ route: string; at: number }>(SOURCE, { schema, eventTime: 'at' })
    .groupBy('by-route', 'route')
    .window('w', tumbling('1m'), { grace: '10s', late: 'drop' })
    .aggregate('agg', { rides: count() })
    .toTable('rides.stats'),
);

test('a poll that brings an assignment and one partition\'s backlog: that partition waits for the others (alignment knows all of them first)', async () => {
  const registry = new InMemorySchemaRegistry();
  const codec = new AvroCodec<unknown>({ registry, subject: `${SOURCE}-value`, readerSchema: schema });
  await codec.registerWriter();
  // Partition 2's backlog: an hour of event time, far beyond what alignment lets one partition run ahead.
  const backlog: InputRecord[] = Array.from({ length: 2_000 }, (_, i) => ({
    topic: SOURCE, partition: 2, offset: BigInt(i), timestamp: 0, key: null, headers: {},
    value: codec.encode({ route: `r${i % 7}`, at: i * 2_000 }),
  }));
  const stop = new AbortController();
  const assigned: TopicPartitionRef[] = [0, 1, 2].map((partition) => ({ topic: SOURCE, partition }));
  const commits: string[] = [];
  const writer: CheckpointWriter = {
    begin: async () => {},
    produce: async () => {},
    commit: async (offsets) => void commits.push(...offsets.map((o) => `${o.topic}[${o.partition}]@${o.nextOffset}`)),
    abort: async () => {},
    close: async () => {},
  };
  const transport = onePollTransport({ assigned, records: backlog, writer, stop, partitions: 3 });
  const runner = new TopologyRunner({ plan: ridesPlan, transport, registry, resolveSchema: () => schema, log: () => {}, instanceId: 'test' });
  await runner.start();
  await runner.run(stop.signal);
  // Partitions 0 and 1 have told nothing of their event time yet: partition 2 gets its first chunk only.
  expect(commits).toEqual([`${SOURCE}[2]@16`]);
});
