import { filter, map, mergeMap } from 'rxjs';
import { count, sum, topology, tumbling } from 'sluice';
import { defineCase, type ConformanceCase } from './conformance-case.js';
import { r, readingSchemas, type Reading } from './simple-fixture.js';

const source = (name: string) => topology(name).source<Reading>('readings', { schema: 'reading', eventTime: 'at' });

export const streamCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'pipe and branch: operators transform records, the first matching arm wins',
    topology: source('pipe-branch')
      .pipe('double-positive', filter((e) => e.value > 0), map((e) => ({ ...e, value: e.value * 2 })))
      .branch('by-heat', (b) =>
        b.when('hot', (e) => e.value > 10, (s) => s.to('readings.hot')).otherwise('rest', (s) => s.to('readings.rest')),
      ),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('a', 1, 3), r('b', 2, -1), r('c', 3, 6), r('d', 4, 5.5)] }],
    expect: {
      outputs: {
        'readings.hot': [{ sensor: 'c', value: 12, at: 3 }, { sensor: 'd', value: 11, at: 4 }],
        'readings.rest': [{ sensor: 'a', value: 6, at: 1 }],
      },
    },
  }),
  defineCase({
    name: 'split: every arm sees every record (a raw copy and a table)',
    topology: source('split-fan-out').split('fan-out', {
      raw: (s) => s.to('readings.copy'),
      stats: (s) =>
        s
          .deadLetter('readings.dlq')
          .groupBy('by-sensor', 'sensor')
          .window('w', tumbling(1000), { grace: 0 })
          .aggregate('stats', { n: count() })
          .toTable('t.split'),
    }),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('a', 1), r('a', 2)] }],
    expect: {
      outputs: { 'readings.copy': [{ sensor: 'a', value: 1, at: 1 }, { sensor: 'a', value: 1, at: 2 }] },
      tables: { 't.split': [{ sensor: 'a', window_start: 0, n: 2 }] },
    },
  }),
  defineCase({
    name: 're-keying: a derived key repartitions records across 3 partitions; every key aggregates once',
    topology: source('rekey')
      .deadLetter('readings.dlq')
      .groupBy('by-zone', (e) => e.sensor.split('-')[0] ?? '', { as: 'zone' })
      .window('w', tumbling(1000), { grace: 0 })
      .aggregate('per-zone', { n: count(), total: sum((e) => e.value) })
      .toTable('t.zones'),
    schemas: readingSchemas,
    partitions: 3,
    steps: [
      {
        send: 'readings',
        records: [r('north-1', 10, 1), r('north-2', 20, 2), r('south-1', 30, 4), r('east-9', 40, 8), r('south-7', 50, 16), r('west-3', 60, 32)],
      },
    ],
    expect: {
      tables: {
        't.zones': [
          { zone: 'east', window_start: 0, n: 1, total: 8 },
          { zone: 'north', window_start: 0, n: 2, total: 3 },
          { zone: 'south', window_start: 0, n: 2, total: 20 },
          { zone: 'west', window_start: 0, n: 1, total: 32 },
        ],
      },
    },
  }),
  defineCase({
    name: 'async operators: mergeMap to a promise keeps each record with its own key and event time',
    topology: source('async-enrich')
      .deadLetter('readings.dlq')
      .pipe('enrich', mergeMap(async (e) => ({ ...e, value: e.value + 100 })))
      .groupBy('by-sensor', 'sensor')
      .window('w', tumbling(1000), { grace: 5000 })
      .aggregate('stats', { n: count(), total: sum((e) => e.value) })
      .toTable('t.async'),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('a', 100, 1), r('a', 1100, 2), r('b', 200, 3)] }],
    expect: {
      tables: {
        't.async': [
          { sensor: 'a', window_start: 0, n: 1, total: 101 },
          { sensor: 'a', window_start: 1000, n: 1, total: 102 },
          { sensor: 'b', window_start: 0, n: 1, total: 103 },
        ],
      },
    },
  }),
];
