import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { KafkaAdmin, RecordProducer, type OutgoingRecord } from '../../src/kafka/index.js';
import { partitionForKey } from '../../src/runtime/murmur2.js';
import { HttpSchemaRegistry } from '../../src/serde/index.js';
import { writeWireHeader } from '../../src/serde/wire-format.js';
import { SeededRandom } from '../../src/cli/generators/seeded-random.js';

/** How the benchmark's input is shaped. */
export interface WorkloadShape {
  readonly events: number;
  readonly partitions: number;
  readonly keys: number;
  /** Event-time density: events per second of event time (so windows hold `keys`-spread counts). */
  readonly eventsPerEventSecond: number;
  /** Share of records with an out-of-range value (dead-lettered by every contender). */
  readonly invalidRatio: number;
  /** Largest event-time jitter, ms (always below the 5 s grace: the workload has no late records). */
  readonly jitterMs: number;
  readonly seed: number;
}

/**
 * What was produced, column-wise (typed arrays, not objects: 2,000,000 events
 * must stay a few tens of MB) so oracles over any per-partition prefix can be
 * computed afterwards. Offsets are positions within each partition: the topic
 * is created fresh per run.
 */
export interface Workload {
  readonly shape: WorkloadShape;
  readonly topic: string;
  readonly partition: Uint8Array;
  readonly keyIndex: Int32Array;
  readonly ts: Float64Array;
  readonly value: Float64Array;
  /** Records per partition. */
  readonly perPartition: number[];
  readonly valueSchemaId: number;
  readonly bytes: number;
}

export const BENCH_SCHEMA_FILE = new URL('../schemas/bench-event.avsc', import.meta.url);
const NOTES = [
  'pressure nominal after the maintenance window; sensor recalibrated by the field crew on the last inspection round of the north district',
  'reading taken during peak demand; upstream valve partially closed per operator instruction sheet 4B, to be reviewed by the shift lead',
  'automatic sample from the edge gateway; clock synchronised via NTP before sampling; no operator intervention was required this time',
];

/** `k-00042` for key index 42. */
export function keyName(index: number): string {
  return `k-${String(index).padStart(5, '0')}`;
}

/** The value of event `i`: valid in [0, 1000] unless the generator made it invalid. */
function valueFor(random: () => number, invalidRatio: number): number {
  if (random() < invalidRatio) {
    const kind = Math.floor(random() * 3);
    return kind === 0 ? -1 - Math.round(random() * 100) : kind === 1 ? 1000.5 + Math.round(random() * 1000) : Number.NaN;
  }
  return Math.round(random() * 100_000) / 100;
}

/**
 * Creates `topic` (fresh, infinite retention) and fills it with the workload,
 * Avro in Confluent wire format, keys partitioned like Java's default
 * partitioner so every contender sees each key in one partition.
 *
 * @example
 * ```ts
 * const w = await produceWorkload({ bootstrap: '127.0.0.1:9092', registryUrl, topic: 'bench.events.1', shape });
 * ```
 */
export async function produceWorkload(options: {
  readonly bootstrap: string;
  readonly registryUrl: string;
  readonly topic: string;
  readonly shape: WorkloadShape;
  readonly log: (line: string) => void;
}): Promise<Workload> {
  const { shape, topic } = options;
  const schema = JSON.parse(readFileSync(BENCH_SCHEMA_FILE, 'utf8')) as avro.Schema;
  const type = avro.Type.forSchema(schema);
  const registry = new HttpSchemaRegistry({ url: options.registryUrl });
  const valueSchemaId = await registry.register(`${topic}-value`, schema as never);
  const admin = new KafkaAdmin({ 'bootstrap.servers': options.bootstrap });
  try {
    await admin.ensureTopics([{ name: topic, partitions: shape.partitions, config: { 'retention.ms': '-1' } }]);
  } finally {
    admin.close();
  }

  const seeded = new SeededRandom(shape.seed);
  const random = (): number => seeded.next();
  const keyBuffers = Array.from({ length: shape.keys }, (_, i) => Buffer.from(keyName(i)));
  const keyPartition = keyBuffers.map((k) => partitionForKey(k, shape.partitions));
  const spanMs = Math.ceil((shape.events / shape.eventsPerEventSecond) * 1000);
  // Event times end about now, so time-based retention of the contenders' own topics never bites.
  const startMs = Math.floor((Date.now() - spanMs) / 60_000) * 60_000;
  const workload: Workload = {
    shape,
    topic,
    partition: new Uint8Array(shape.events),
    keyIndex: new Int32Array(shape.events),
    ts: new Float64Array(shape.events),
    value: new Float64Array(shape.events),
    perPartition: new Array<number>(shape.partitions).fill(0),
    valueSchemaId,
    bytes: 0,
  };
  const producer = await RecordProducer.connect({
    'bootstrap.servers': options.bootstrap,
    // Uncompressed: kafka-python (the baseline) has no lz4 codec without another Debian package, and
    // every contender then pays the same, decompression-free fetch.
    'compression.type': 'none',
    'linger.ms': 20,
    'batch.size': 1_000_000,
    'queue.buffering.max.messages': 500_000,
  });
  const chunk = 20_000;
  let bytes = 0;
  const started = Date.now();
  try {
    for (let base = 0; base < shape.events; base += chunk) {
      const records: OutgoingRecord[] = [];
      for (let i = base; i < Math.min(base + chunk, shape.events); i++) {
        const k = Math.floor(random() * shape.keys);
        const jitter = Math.round((random() * 2 - 1) * shape.jitterMs);
        const ts = startMs + Math.floor((i * 1000) / shape.eventsPerEventSecond) + jitter;
        const value = valueFor(random, shape.invalidRatio);
        const body = type.toBuffer({
          key: keyName(k),
          ts,
          value,
          seq: i,
          site: `site-${String(k % 500).padStart(3, '0')}`,
          unit: 'kPa',
          quality: Math.floor(random() * 4),
          lat: 48 + random(),
          lon: 11 + random(),
          note: NOTES[i % NOTES.length]!,
        });
        const payload = Buffer.allocUnsafe(body.length + 5);
        writeWireHeader(payload, valueSchemaId);
        body.copy(payload, 5);
        bytes += payload.length;
        const partition = keyPartition[k]!;
        workload.partition[i] = partition;
        workload.keyIndex[i] = k;
        workload.ts[i] = ts;
        workload.value[i] = value;
        workload.perPartition[partition]! += 1;
        records.push({ topic, partition, key: keyBuffers[k]!, value: payload, timestamp: ts });
      }
      await producer.produceAll(records);
      if ((base / chunk) % 25 === 0) options.log(`  produced ${Math.min(base + chunk, shape.events).toLocaleString('en-US')} / ${shape.events.toLocaleString('en-US')}`);
    }
  } finally {
    await producer.close();
  }
  options.log(`produced ${shape.events.toLocaleString('en-US')} events (${(bytes / shape.events).toFixed(0)} bytes each) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...workload, bytes };
}
