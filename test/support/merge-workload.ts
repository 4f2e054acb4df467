import { RecordProducer } from '../../src/kafka/index.js';
import { AvroCodec, HttpSchemaRegistry, type AvroRecordSchema } from '../../src/serde/index.js';
import { seededRandom, T0 } from './bus-workload.js';

/** A road sensor's reading: one of the two merged sources. */
export interface Sensor {
  segment: string;
  speed: number;
  at: number;
}

/** A vehicle probe, another shape in another topic: the other merged source. */
export interface Probe {
  vehicle: string;
  segment: string;
  kmh: number;
  ts: number;
}

export const sensorSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Sensor',
  namespace: 'dev.sluice.test.merge',
  fields: [
    { name: 'segment', type: 'string' },
    { name: 'speed', type: 'double' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

export const probeSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Probe',
  namespace: 'dev.sluice.test.merge',
  fields: [
    { name: 'vehicle', type: 'string' },
    { name: 'segment', type: 'string' },
    { name: 'kmh', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

export const SEGMENTS = 40;
export const ZONES = 7;
export const WINDOW_MS = 10_000;
export const GRACE_MS = 30_000;
/** Event time between consecutive records of one topic. */
export const STEP_MS = 50;
/**
 * Disorder of event time around a record's place (±). A task reading two topics keeps them within half the
 * grace of each other (event-time alignment), leaving the other half for disorder inside each partition:
 * 2 × 5 s + 15 s < 30 s. (With ±8 s, 2 × 8 s + 15 s > 30 s, and records of the slower topic were late — see
 * the README's Known limits.)
 */
export const JITTER_MS = 5_000;

/** One generated record, keyed by segment; `invalid` ones must end in the DLQ and nowhere else. */
export interface Generated<T> {
  readonly key: string;
  readonly value: T;
  readonly invalid: boolean;
}

/** The workload: `count` records per topic, record `i` of each topic near event time `T0 + i * STEP_MS`. */
export interface MergeWorkload {
  readonly sensors: readonly Generated<Sensor>[];
  readonly probes: readonly Generated<Probe>[];
}

/**
 * Seeded sensors and probes over {@link SEGMENTS} segments, about 1% of each
 * invalid (out of range), event times `±JITTER_MS` around an even pace, so
 * records are out of order within each partition — by at most 2 × 5 s, and
 * across the topics (written in alternating chunks of `chunk`, i.e.
 * `chunk × STEP_MS` = 5 s of event time) by at most 15 s: within what the
 * runtime promises for a task reading two topics (half the grace between
 * them, the rest for disorder inside a partition), so no record may be late. Speeds are quarters (exact in binary), so sums do
 * not depend on the order they are added in.
 */
export function mergeWorkload(count: number, seed: number): MergeWorkload {
  const random = seededRandom(seed);
  const segment = (): string => `seg-${Math.floor(random() * SEGMENTS)}`;
  const jitter = (): number => Math.round((random() * 2 - 1) * JITTER_MS);
  const sensors: Generated<Sensor>[] = [];
  const probes: Generated<Probe>[] = [];
  for (let i = 0; i < count; i++) {
    const s = segment();
    const sensorInvalid = random() < 0.01;
    const speed = sensorInvalid ? (random() < 0.5 ? -1 - Math.floor(random() * 50) : 201 + Math.floor(random() * 100)) : Math.floor(random() * 801) / 4;
    sensors.push({ key: s, value: { segment: s, speed, at: T0 + i * STEP_MS + jitter() }, invalid: sensorInvalid });
    const p = segment();
    const probeInvalid = random() < 0.01;
    const kmh = probeInvalid ? (random() < 0.5 ? -0.25 - Math.floor(random() * 40) / 4 : 250.25 + Math.floor(random() * 400) / 4) : Math.floor(random() * 1001) / 4;
    probes.push({ key: p, value: { vehicle: `veh-${Math.floor(random() * 500)}`, segment: p, kmh, ts: T0 + i * STEP_MS + jitter() }, invalid: probeInvalid });
  }
  return { sensors, probes };
}

/** The zone a segment belongs to (the second topology's grouping). */
export function zoneOf(segment: string): string {
  return `z${Number(segment.slice('seg-'.length)) % ZONES}`;
}

/** Expected aggregate of one group and window. */
export interface WindowStats {
  n: number;
  total: number;
  top: number;
}

/**
 * The oracle, from the generated records alone: count, sum and max of the
 * valid speeds per group and tumbling window, with plain loops (no record is
 * late by construction, see {@link mergeWorkload}).
 */
export function mergeOracle(workload: MergeWorkload, group: (segment: string) => string): Map<string, WindowStats> {
  const out = new Map<string, WindowStats>();
  const add = (segment: string, speed: number, time: number): void => {
    const id = `${group(segment)}@${time - (time % WINDOW_MS)}`;
    const s = out.get(id);
    if (s === undefined) out.set(id, { n: 1, total: speed, top: speed });
    else {
      s.n += 1;
      s.total += speed;
      if (speed > s.top) s.top = speed;
    }
  };
  for (const r of workload.sensors) if (!r.invalid) add(r.value.segment, r.value.speed, r.value.at);
  for (const r of workload.probes) if (!r.invalid) add(r.value.segment, r.value.kmh, r.value.ts);
  return out;
}

/** Differences between a table read back from Kafka (keyed by `column` + window_start) and the oracle; undefined when equal. */
export function compareWindowTable(
  table: ReadonlyMap<string, { key: Record<string, unknown>; value: Record<string, unknown> }>,
  oracle: ReadonlyMap<string, WindowStats>,
  column: string,
): string | undefined {
  const actual = new Map<string, Record<string, unknown>>();
  for (const { key, value } of table.values()) actual.set(`${String(key[column] ?? value[column])}@${Number(key.window_start ?? value.window_start)}`, value);
  const problems: string[] = [];
  let missingRecords = 0;
  for (const [id, expected] of oracle) {
    const got = actual.get(id);
    if (got === undefined) {
      problems.push(`missing ${id}`);
      missingRecords += expected.n;
    } else if (Number(got.n) !== expected.n || got.total !== expected.total || got.top !== expected.top) {
      problems.push(`${id}: expected ${JSON.stringify(expected)}, got ${JSON.stringify({ n: got.n, total: got.total, top: got.top })}`);
      missingRecords += expected.n - Number(got.n);
    }
  }
  for (const id of actual.keys()) if (!oracle.has(id)) problems.push(`unexpected ${id}`);
  if (problems.length === 0) return undefined;
  return `${problems.length} differences (oracle ${oracle.size} rows, table ${actual.size}; records short: ${missingRecords}): ${problems.slice(0, 6).join('; ')}`;
}

/**
 * A `sluice` project file: `sensors` and `probes` validated (rejects to one
 * DLQ), mapped to the sensor shape, merged, and grouped either by the Kafka
 * key (the segment: no repartition) or by zone (through a repartition topic),
 * into 10 s tumbling windows with 30 s grace.
 */
export function mergeTopologyFile(c: { name: string; sensors: string; probes: string; dlq: string; table: string; grouping: 'by-key' | 'by-zone' }): string {
  const grouped =
    c.grouping === 'by-key'
      ? `.groupByKey('by-segment', { as: 'segment' })`
      : `.groupBy('by-zone', (e) => \`z\${Number(e.segment.slice(4)) % ${ZONES}}\`, { as: 'zone' })`;
  return `import { count, max, sum, topology, tumbling } from 'sluice';
import { map } from 'rxjs';
interface Sensor { segment: string; speed: number; at: number }
interface Probe { vehicle: string; segment: string; kmh: number; ts: number }
const t = topology('${c.name}');
const probes = t
  .source<Probe>('${c.probes}', { schema: ${JSON.stringify(probeSchema)}, eventTime: 'ts' })
  .validate('probe-range', (p) => (p.kmh >= 0 && p.kmh <= 250) || 'kmh out of range')
  .deadLetter('${c.dlq}')
  .pipe('probe-as-sensor', map((p): Sensor => ({ segment: p.segment, speed: p.kmh, at: p.ts })));
export default t
  .source<Sensor>('${c.sensors}', { schema: ${JSON.stringify(sensorSchema)}, eventTime: 'at' })
  .validate('sensor-range', (s) => (s.speed >= 0 && s.speed <= 200) || 'speed out of range')
  .deadLetter('${c.dlq}')
  .pipe('sensor-speed', map((s): Sensor => ({ segment: s.segment, speed: s.speed, at: s.at })))
  .merge('all-speeds', probes)
  ${grouped}
  .window('per-10s', tumbling(${WINDOW_MS}), { grace: ${GRACE_MS} })
  .aggregate('stats', { n: count(), total: sum((e) => e.speed), top: max((e) => e.speed) })
  .toTable('${c.table}');
`;
}

/**
 * Writes records `from`..`to` of both topics in alternating chunks of
 * `chunk` per topic — sensors then probes, one chunk pair per produce call —
 * as two producers keeping pace with each other would, so the records'
 * timestamps (when written) follow event time at the chunks' granularity.
 * `pauseMs` between chunk pairs makes it a live stream.
 */
export async function produceInterleaved(c: {
  bootstrapServers: string;
  registryUrl: string;
  sensorsTopic: string;
  probesTopic: string;
  workload: MergeWorkload;
  from: number;
  to: number;
  chunk: number;
  pauseMs?: number;
}): Promise<void> {
  const registry = new HttpSchemaRegistry({ url: c.registryUrl });
  const sensors = new AvroCodec<Sensor>({ registry, subject: `${c.sensorsTopic}-value`, readerSchema: sensorSchema });
  const probes = new AvroCodec<Probe>({ registry, subject: `${c.probesTopic}-value`, readerSchema: probeSchema });
  await sensors.registerWriter();
  await probes.registerWriter();
  const producer = await RecordProducer.connect({ 'bootstrap.servers': c.bootstrapServers });
  try {
    for (let i = c.from; i < c.to; i += c.chunk) {
      const end = Math.min(i + c.chunk, c.to);
      await producer.produceAll([
        ...c.workload.sensors.slice(i, end).map((r) => ({ topic: c.sensorsTopic, key: Buffer.from(r.key), value: sensors.encode(r.value) })),
        ...c.workload.probes.slice(i, end).map((r) => ({ topic: c.probesTopic, key: Buffer.from(r.key), value: probes.encode(r.value) })),
      ]);
      if (c.pauseMs !== undefined) await new Promise((r) => setTimeout(r, c.pauseMs));
    }
  } finally {
    await producer.close();
  }
}
