import { count, sum, topology, tumbling } from 'sluice';
import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';
import { defineCase, type ConformanceCase } from './conformance-case.js';
import { readingSchema, type Reading } from './simple-fixture.js';

/** A reading keyed by `key` (which need not be its sensor: groupByKey must use the record key). */
const k = (key: string, sensor: string, at: number, value = 1) => ({ key, value: { sensor, value, at } satisfies Reading });

/** A step event of a small lifecycle: NEW → OPEN → DONE. */
interface Step {
  id: string;
  status: string;
  at: number;
}
const stepSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Step',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'at', type: 'long' },
  ],
};
const stateSchema: AvroRecordSchema = {
  type: 'record',
  name: 'StepState',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'steps', type: 'int' },
    { name: 'at', type: 'long' },
  ],
};
const NEXT: Readonly<Record<string, string>> = { NONE: 'NEW', NEW: 'OPEN', OPEN: 'DONE' };
const s = (id: string, status: string, at: number) => ({ key: id, value: { id, status, at } satisfies Step });

/** steps keyed by id → groupByKey or groupBy → track lifecycle → table `t.state`. */
function lifecycle(name: string, grouping: 'by-key' | 'by-field') {
  const source = topology(name).source<Step>('steps', { schema: 'step', eventTime: 'at' }).deadLetter('steps.dlq');
  const grouped = grouping === 'by-key' ? source.groupByKey('by-id', { as: 'id' }) : source.groupBy('by-id', 'id');
  return grouped
    .track('lifecycle', {
      schema: 'step-state',
      initial: (id) => ({ id, status: 'NONE', steps: 0, at: 0 }),
      update: (state, e) =>
        NEXT[state.status] === e.status ? { ...state, status: e.status, steps: state.steps + 1, at: e.at } : `impossible transition ${state.status} → ${e.status}`,
    })
    .toTable('t.state');
}

export const keyedStateCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'groupByKey: windows per record key (not a field), no repartition',
    topology: topology('group-by-key')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('readings.dlq')
      .groupByKey('by-device', { as: 'device' })
      .window('w', tumbling(1000), { grace: 10_000 })
      .aggregate('stats', { n: count(), total: sum((e) => e.value) })
      .toTable('t.devices'),
    schemas: { reading: readingSchema },
    partitions: 2,
    steps: [
      { send: 'readings', records: [k('dev-1', 'a', 100, 1), k('dev-2', 'a', 200, 2), k('dev-1', 'b', 300, 4), k('dev-3', 'c', 1500, 8)] },
      { send: 'readings', records: [k('dev-1', 'a', 900, 16)] },
    ],
    expect: {
      tables: {
        't.devices': [
          { device: 'dev-1', window_start: 0, window_end: 1000, n: 3, total: 21 },
          { device: 'dev-2', window_start: 0, window_end: 1000, n: 1, total: 2 },
          { device: 'dev-3', window_start: 1000, window_end: 2000, n: 1, total: 8 },
        ],
      },
      late: 0,
    },
  }),
  defineCase({
    name: 'groupByKey: a record without a key goes to the dead-letter topic (reason invalid)',
    topology: topology('group-by-key-null')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('readings.dlq')
      .groupByKey('by-device', { as: 'device' })
      .window('w', tumbling(1000), { grace: 10_000 })
      .aggregate('stats', { n: count() })
      .toTable('t.devices'),
    schemas: { reading: readingSchema },
    steps: [{ send: 'readings', records: [{ value: { sensor: 'a', value: 1, at: 100 } }, k('dev-1', 'a', 200)] }],
    expect: {
      tables: { 't.devices': [{ device: 'dev-1', window_start: 0, n: 1 }] },
      deadLetters: { 'readings.dlq': [{ reason: 'invalid', step: 'by-device', source: { topic: 'readings', partition: 0, offset: 0n } }] },
    },
  }),
  ...(['by-key', 'by-field'] as const).map((grouping) =>
    defineCase({
      name: `track (${grouping === 'by-key' ? 'groupByKey' : 'groupBy, through the repartition'}): valid steps update the state, impossible ones are rejected with their reason`,
      topology: lifecycle(`track-${grouping}`, grouping),
      schemas: { step: stepSchema, 'step-state': stateSchema },
      steps: [
        { send: 'steps', records: [s('o1', 'NEW', 10), s('o2', 'NEW', 11), s('o1', 'OPEN', 12), s('o1', 'OPEN', 13)] },
        { send: 'steps', records: [s('o2', 'DONE', 14), s('o1', 'DONE', 15), s('o3', 'OPEN', 16)] },
      ],
      expect: {
        tables: {
          't.state': [
            { id: 'o1', status: 'DONE', steps: 3, at: 15 },
            { id: 'o2', status: 'NEW', steps: 1, at: 11 },
          ],
        },
        deadLetters: {
          'steps.dlq': [
            { reason: 'rejected', step: 'lifecycle', message: 'impossible transition OPEN → OPEN', source: { topic: 'steps', partition: 0, offset: 3n } },
            { reason: 'rejected', step: 'lifecycle', message: 'impossible transition NEW → DONE', source: { topic: 'steps', partition: 0, offset: 4n } },
            { reason: 'rejected', step: 'lifecycle', message: 'impossible transition NONE → OPEN', source: { topic: 'steps', partition: 0, offset: 6n } },
          ],
        },
      },
    }),
  ),
];
