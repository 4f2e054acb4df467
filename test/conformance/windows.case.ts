import { count, hopping, session, sum, topology, tumbling, type WindowSpec } from 'sluice';
import { defineCase, type ConformanceCase } from './conformance-case.js';
import { r, readingSchemas, type Reading } from './simple-fixture.js';

/** readings → per sensor → window → { n, total } → table `t.counts`. */
function perSensor(name: string, window: WindowSpec, options: { grace?: number; emit?: 'update' | 'final'; idleClose?: number } = {}) {
  return topology(name)
    .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
    .deadLetter('readings.dlq')
    .groupBy('by-sensor', 'sensor')
    .window('w', window, { grace: options.grace ?? 0, emit: options.emit ?? 'update', ...(options.idleClose ? { idleClose: options.idleClose } : {}) })
    .aggregate('stats', { n: count(), total: sum((e) => e.value) })
    .toTable('t.counts');
}

export const windowCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'tumbling: a record exactly at a window end belongs to the next window',
    topology: perSensor('tumbling-boundary', tumbling(1000)),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('s1', 0), r('s1', 999), r('s1', 1000), r('s1', 1999)] }],
    expect: {
      tables: {
        't.counts': [
          { sensor: 's1', window_start: 0, window_end: 1000, n: 2 },
          { sensor: 's1', window_start: 1000, window_end: 2000, n: 2 },
        ],
      },
      late: 0,
    },
  }),
  defineCase({
    name: 'hopping: a record counts in every window that overlaps it',
    topology: perSensor('hopping-overlap', hopping(1000, 500), { grace: 10_000 }),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('s1', 10_250, 1), r('s1', 10_750, 10), r('s1', 11_250, 100)] }],
    expect: {
      tables: {
        't.counts': [
          { sensor: 's1', window_start: 9_500, window_end: 10_500, n: 1, total: 1 },
          { sensor: 's1', window_start: 10_000, window_end: 11_000, n: 2, total: 11 },
          { sensor: 's1', window_start: 10_500, window_end: 11_500, n: 2, total: 110 },
          { sensor: 's1', window_start: 11_000, window_end: 12_000, n: 1, total: 100 },
        ],
      },
    },
  }),
  defineCase({
    name: 'grace: out-of-order records within grace count, later ones are late (watermark is per task, not per key)',
    topology: perSensor('grace-lateness', tumbling(1000), { grace: 500 }),
    schemas: readingSchemas,
    steps: [
      { send: 'readings', records: [r('s1', 100), r('s1', 1200)] },
      { send: 'readings', records: [r('s1', 900)] }, // end 1000 + grace 500 > watermark 1200: counts
      { send: 'readings', records: [r('s1', 1600)] }, // watermark 1600 closes [0, 1000)
      { send: 'readings', records: [r('s1', 950), r('s2', 999)] }, // both late, s2 too
    ],
    expect: {
      tables: {
        't.counts': [
          { sensor: 's1', window_start: 0, n: 2 },
          { sensor: 's1', window_start: 1000, n: 2 },
        ],
      },
      deadLetters: {
        'readings.dlq': [
          { reason: 'late', step: 'w', source: { topic: 'readings', partition: 0, offset: 4n } },
          { reason: 'late', step: 'w', source: { topic: 'readings', partition: 0, offset: 5n } },
        ],
      },
      late: 2,
    },
  }),
  defineCase({
    name: 'lateness boundary: a window closes exactly when the watermark reaches end + grace',
    topology: perSensor('late-boundary', tumbling(1000), { grace: 500 }),
    schemas: readingSchemas,
    steps: [
      { send: 'readings', records: [r('s1', 100), r('s1', 1499)] },
      { send: 'readings', records: [r('s1', 999)] }, // watermark 1499 < 1000 + 500: accepted
      { send: 'readings', records: [r('s1', 1500)] }, // watermark 1500 = end + grace: [0, 1000) is closed
      { send: 'readings', records: [r('s1', 998)] }, // late
    ],
    expect: {
      tables: {
        't.counts': [
          { sensor: 's1', window_start: 0, n: 2 },
          { sensor: 's1', window_start: 1000, n: 2 },
        ],
      },
      deadLetters: { 'readings.dlq': [{ reason: 'late', step: 'w', source: { topic: 'readings', offset: 4n } }] },
      late: 1,
    },
  }),
  defineCase({
    name: 'session: a record bridging two sessions merges them (the later key is tombstoned)',
    topology: perSensor('session-merge', session(1000), { grace: 10_000 }),
    schemas: readingSchemas,
    steps: [
      { send: 'readings', records: [r('s1', 0, 1), r('s1', 1800, 2)] },
      { send: 'readings', records: [r('s1', 900, 4), r('s2', 5000, 8)] },
    ],
    expect: {
      tables: {
        't.counts': [
          { sensor: 's1', window_start: 0, window_end: 1800, n: 3, total: 7 },
          { sensor: 's2', window_start: 5000, window_end: 5000, n: 1, total: 8 },
        ],
      },
    },
  }),
  defineCase({
    name: 'emit final: a window is written once, when it closes',
    topology: perSensor('emit-final', tumbling(1000), { emit: 'final' }),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('s1', 100, 1), r('s1', 200, 2)] }, { send: 'readings', records: [r('s1', 1500, 4)] }],
    expect: { tables: { 't.counts': [{ sensor: 's1', window_start: 0, window_end: 1000, n: 2, total: 3 }] } },
  }),
  defineCase({
    name: 'idle close: an idle partition closes its windows on wall-clock time',
    topology: perSensor('idle-close', tumbling(1000), { emit: 'final', idleClose: 5000 }),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('s1', 100, 1)] }, { advanceWallClock: 6000 }],
    expect: { tables: { 't.counts': [{ sensor: 's1', window_start: 0, window_end: 1000, n: 1, total: 1 }] } },
  }),
];
