import { map } from 'rxjs';
import { count, topology, tumbling } from 'sluice';
import { defineCase, type ConformanceCase } from './conformance-case.js';
import { r, readingSchemas, type Reading } from './simple-fixture.js';

const withDlq = (name: string) =>
  topology(name).source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('readings.dlq');

export const deadLetterCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'undecodable records go to the DLQ with their reason; good ones flow on',
    topology: withDlq('decode-failures').to('readings.out'),
    schemas: readingSchemas,
    steps: [
      { sendRaw: 'readings', value: Buffer.from('{"sensor":"json?"}'), key: 'k1' },
      { sendRaw: 'readings', value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 0x61]), key: 'k2' },
      { sendRaw: 'readings', value: Buffer.from([0, 0, 0]) },
      { send: 'readings', records: [r('ok', 5, 1)] },
    ],
    expect: {
      outputs: { 'readings.out': [{ sensor: 'ok', value: 1, at: 5 }] },
      deadLetters: {
        'readings.dlq': [
          { reason: 'bad-magic', step: 'readings', source: { topic: 'readings', partition: 0, offset: 0n } },
          { reason: 'unknown-schema', step: 'readings', source: { topic: 'readings', partition: 0, offset: 1n } },
          { reason: 'truncated', step: 'readings', source: { topic: 'readings', partition: 0, offset: 2n } },
        ],
      },
    },
  }),
  defineCase({
    name: 'validate: rejected records carry the reason; a throwing step dead-letters only its record',
    topology: withDlq('validate-and-throw')
      .validate('positive', (e) => e.value >= 0 || 'value must not be negative')
      .pipe(
        'invert',
        map((e) => {
          if (e.value === 0) throw new Error('cannot invert 0');
          return { ...e, value: 1 / e.value };
        }),
      )
      .to('readings.out'),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('a', 1, 2), r('b', 2, -1), r('c', 3, 0), r('d', 4, 4)] }],
    expect: {
      outputs: { 'readings.out': [{ sensor: 'a', value: 0.5, at: 1 }, { sensor: 'd', value: 0.25, at: 4 }] },
      deadLetters: {
        'readings.dlq': [
          { reason: 'invalid', step: 'positive', message: 'value must not be negative', source: { topic: 'readings', offset: 1n } },
          { reason: 'error', step: 'invert', message: 'cannot invert 0', source: { topic: 'readings', offset: 2n } },
        ],
      },
    },
  }),
  defineCase({
    name: "late policy 'drop': late records are counted, not dead-lettered",
    topology: topology('late-drop')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .groupBy('by-sensor', 'sensor')
      .window('w', tumbling(1000), { grace: 0, late: 'drop' })
      .aggregate('stats', { n: count() })
      .toTable('t.drop'),
    schemas: readingSchemas,
    steps: [{ send: 'readings', records: [r('a', 1500), r('a', 10)] }],
    expect: { tables: { 't.drop': [{ sensor: 'a', window_start: 1000, n: 1 }] }, late: 1 },
  }),
];
