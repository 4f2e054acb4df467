import { count, max, sum, topology, tumbling } from 'sluice';
import { map } from 'rxjs';
import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';
import { defineCase, type ConformanceCase } from './conformance-case.js';
import { readingSchema, type Reading } from './simple-fixture.js';

/** A second kind of event, in its own topic and schema: merged after mapping it to a `Reading`. */
interface Probe {
  probe: string;
  device: string;
  kmh: number;
  ts: number;
}
const probeSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Probe',
  namespace: 'sluice.test',
  fields: [
    { name: 'probe', type: 'string' },
    { name: 'device', type: 'string' },
    { name: 'kmh', type: 'double' },
    { name: 'ts', type: 'long' },
  ],
};
const reading = (key: string, value: number, at: number) => ({ key, value: { sensor: key, value, at } satisfies Reading });
const probe = (key: string, kmh: number, ts: number) => ({ key, value: { probe: `p-${key}`, device: key, kmh, ts } satisfies Probe });

/** readings + probes (mapped to readings, negative speeds rejected) → one window state per device. */
function merged(name: string, grouping: 'by-key' | 'by-field') {
  const t = topology(name);
  const probes = t
    .source<Probe>('probes', { schema: 'probe', eventTime: 'ts' })
    .validate('probe-range', (p) => p.kmh >= 0 || 'kmh is negative')
    .pipe('probe-as-reading', map((p): Reading => ({ sensor: p.device, value: p.kmh, at: p.ts })));
  const all = t.source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('merge.dlq').merge('all', probes);
  const grouped = grouping === 'by-key' ? all.groupByKey('by-device', { as: 'device' }) : all.groupBy('by-device', (e) => e.sensor, { as: 'device' });
  return grouped
    .window('w', tumbling(1000), { grace: 60_000 })
    .aggregate('stats', { n: count(), total: sum((e) => e.value), top: max((e) => e.value) })
    .toTable('t.merged');
}

export const mergeCases: readonly ConformanceCase[] = (['by-key', 'by-field'] as const).map((grouping) =>
  defineCase({
    name: `merge (${grouping === 'by-key' ? 'groupByKey, one task reads both topics' : 'groupBy, through the repartition'}): records of two topics with two schemas meet in one window state; each side's rejects go to the dead-letter topic`,
    topology: merged(`merge-${grouping}`, grouping),
    schemas: { reading: readingSchema, probe: probeSchema },
    partitions: 2,
    steps: [
      { send: 'readings', records: [reading('dev-1', 1, 100), reading('dev-2', 2, 200), reading('dev-3', 64, 1500)] },
      { send: 'probes', records: [probe('dev-1', 4, 300), probe('dev-2', -1, 400), probe('dev-3', 8, 1200)] },
      { send: 'readings', records: [reading('dev-1', 16, 900)] },
      { send: 'probes', records: [probe('dev-2', 32, 700), probe('dev-4', 128, 2100)] },
    ],
    expect: {
      tables: {
        't.merged': [
          { device: 'dev-1', window_start: 0, window_end: 1000, n: 3, total: 21, top: 16 },
          { device: 'dev-2', window_start: 0, window_end: 1000, n: 2, total: 34, top: 32 },
          { device: 'dev-3', window_start: 1000, window_end: 2000, n: 2, total: 72, top: 64 },
          { device: 'dev-4', window_start: 2000, window_end: 3000, n: 1, total: 128, top: 128 },
        ],
      },
      deadLetters: { 'merge.dlq': [{ reason: 'invalid', step: 'probe-range', message: 'kmh is negative', source: { topic: 'probes' } }] },
      late: 0,
    },
  }),
);
