/**
 * The ceiling contender's process (issue 9): what this machine can do at all.
 * A bare librdkafka consumer reads every partition of the input from its start
 * in `consume(n)` batches, decodes each value's Avro with the writer schema
 * (fetched from the registry by id, cached) and counts — no commits, no group
 * join (partitions are assigned directly), no output. It stops at the end
 * offsets seen at start and prints one JSON line (see {@link CeilingResult}).
 *
 * Run through {@link ceilingCommand}; by hand:
 *
 * @example
 * ```sh
 * node --import tsx bench/contenders/ceiling-main.ts --input bench.events --group bench-ceiling-1
 * # {"consumed":100000,"invalid":1053,"undecodable":106,"positions":{"0":16054,…},"seconds":0.9}
 * ```
 *
 * @module
 */
import rdkafka, { type KafkaConsumer, type Message, type Metadata, type WatermarkOffsets } from '@confluentinc/kafka-javascript';
import avro from 'avsc';
import { parseArgs } from 'node:util';
import type { CeilingResult } from './ceiling.js';

const { values: flags } = parseArgs({
  options: {
    bootstrap: { type: 'string', default: process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092' },
    registry: { type: 'string', default: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7' },
    input: { type: 'string', default: 'bench.events' },
    group: { type: 'string', default: 'bench-ceiling' },
    batch: { type: 'string', default: '10000' },
  },
});
const batchSize = Number(flags.batch);
if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`--batch must be a positive integer, got ${flags.batch}`);

/** Writer types by schema id; `null` = the registry does not know the id. */
const writers = new Map<number, avro.Type | null>();

async function fetchWriters(ids: Iterable<number>): Promise<void> {
  await Promise.all(
    [...ids].map(async (id) => {
      const response = await fetch(`${flags.registry.replace(/\/$/, '')}/schemas/ids/${id}`);
      if (response.status === 404) return void writers.set(id, null);
      if (!response.ok) throw new Error(`registry answered ${response.status} for schema id ${id}`);
      const { schema } = (await response.json()) as { schema: string };
      writers.set(id, avro.Type.forSchema(JSON.parse(schema) as avro.Schema));
    }),
  );
}

// librdkafka's errors are plain objects, not Error instances.
function call<T>(run: (done: (error: { message: string } | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(new Error(error.message)) : resolve(value))));
}

const consumer: KafkaConsumer = new rdkafka.KafkaConsumer({
  'bootstrap.servers': flags.bootstrap,
  'group.id': flags.group,
  'enable.auto.commit': false,
  'enable.partition.eof': true,
  'auto.offset.reset': 'earliest',
  // The fetch settings Sluice's consumers use (src/kafka/batch-consumer.ts): with librdkafka's default
  // of 1 s, fetching stops for a second whenever the prefetch queue fills, and larger fetches cost less
  // CPU per record; without them the ceiling would be the fetcher's, not the machine's.
  'fetch.queue.backoff.ms': 20,
  'max.partition.fetch.bytes': 4_194_304,
});
await call<unknown>((done) => consumer.connect({ timeout: 30_000 }, done));

const metadata = await call<Metadata>((done) => consumer.getMetadata({ topic: flags.input, timeout: 10_000 }, done));
const topic = metadata.topics.find((t) => t.name === flags.input);
if (!topic || topic.partitions.length === 0) throw new Error(`topic ${flags.input} does not exist`);
const partitions = topic.partitions.map((p) => p.id).sort((a, b) => a - b);
const starts = new Map<number, number>();
const ends = new Map<number, number>();
for (const partition of partitions) {
  const { lowOffset, highOffset } = await call<WatermarkOffsets>((done) => consumer.queryWatermarkOffsets(flags.input, partition, 10_000, done));
  starts.set(partition, lowOffset);
  ends.set(partition, highOffset);
}
// Next offset per partition; a partition is done once it reaches its end seen at start.
const positions = new Map(starts);
const open = new Set(partitions.filter((p) => positions.get(p)! < ends.get(p)!));

// A transactional input ends in a commit marker no message carries: end of partition is the only sign of reaching it.
consumer.on('partition.eof', ({ partition, offset }) => {
  if (offset >= ends.get(partition)!) {
    positions.set(partition, ends.get(partition)!);
    open.delete(partition);
  }
});
consumer.assign(partitions.filter((p) => open.has(p)).map((partition) => ({ topic: flags.input, partition, offset: starts.get(partition)! })));
consumer.setDefaultConsumeTimeout(100);

let consumed = 0;
let invalid = 0;
let undecodable = 0;
let started: number | undefined;
const missing = new Set<number>();

while (open.size > 0) {
  const messages = await call<Message[]>((done) => consumer.consume(batchSize, done));
  if (messages.length === 0) continue;
  started ??= performance.now();
  // Schema look-ups are per batch, so decoding below stays synchronous.
  missing.clear();
  for (const { value } of messages) {
    if (value && value.length >= 5 && value[0] === 0) {
      const id = value.readInt32BE(1);
      if (!writers.has(id)) missing.add(id);
    }
  }
  if (missing.size > 0) await fetchWriters(missing);
  for (const message of messages) {
    const end = ends.get(message.partition)!;
    if (message.offset >= end) continue; // produced after start: not part of this run
    positions.set(message.partition, message.offset + 1);
    if (message.offset + 1 >= end) open.delete(message.partition);
    consumed++;
    const event = decode(message.value);
    if (event === undefined) {
      undecodable++;
      invalid++;
      continue;
    }
    const v = event.value;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1000) invalid++;
  }
}
const seconds = started === undefined ? 0 : (performance.now() - started) / 1000;
await call<unknown>((done) => consumer.disconnect(done));

const result: CeilingResult = {
  consumed,
  invalid,
  undecodable,
  positions: Object.fromEntries(partitions.map((p) => [String(p), positions.get(p)!])),
  seconds: Math.round(seconds * 1000) / 1000,
};
process.stdout.write(`${JSON.stringify(result)}\n`);

function decode(value: Buffer | null): { value?: unknown } | undefined {
  if (!value || value.length < 5 || value[0] !== 0) return undefined;
  const type = writers.get(value.readInt32BE(1));
  if (!type) return undefined;
  try {
    const { value: event, offset } = type.decode(value, 5);
    return offset === value.length && typeof event === 'object' && event !== null ? (event as { value?: unknown }) : undefined;
  } catch {
    return undefined; // corrupt body
  }
}
