import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import pg from 'pg';
import { sluiceCommand } from '../contenders/sluice.js';
import { KafkaAdmin, RecordProducer, type OutgoingRecord } from '../../src/kafka/index.js';
import { KafkaConsumer, type Message } from '../../src/kafka/rdkafka.js';
import { partitionForKey } from '../../src/runtime/murmur2.js';
import { HttpSchemaRegistry } from '../../src/serde/index.js';
import { writeWireHeader } from '../../src/serde/wire-format.js';
import { ContenderProcess } from './contender-process.js';
import type { BenchEndpoints } from './contender.js';
import { percentile } from './stats.js';
import { WireDecoder } from './wire-decoder.js';
import { BENCH_SCHEMA_FILE, keyName } from './workload.js';

/** p50/p99 of one latency, ms. */
export interface LatencyFigures {
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
  readonly samples: number;
}

/** The latency run's result. */
export interface LatencyResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly seconds: number;
  readonly eventToTable: LatencyFigures;
  /** Window close → the final row committed to the table topic (the topology's share of closeToRow). */
  readonly closeToTable: LatencyFigures;
  readonly closeToRow: LatencyFigures;
}

const GRACE_MS = 1_000;
/** Fixed so the run can keep Sluice's own /metrics (commit and batch durations) next to its log. */
const METRICS_PORT = 39_464;
const WARM_UP_MS = 15_000;

function figures(samples: readonly number[]): LatencyFigures {
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: percentile(samples, 1), samples: samples.length };
}

/**
 * Runs `sluice run bench-latency` (processing and sink in one process, as a
 * user would) while producing live events at a fixed rate with event time =
 * now, and measures: event → table topic (a read_committed reader's arrival
 * time minus the newest event time the update holds) and window close →
 * PostgreSQL row (`written_at`, a column default of clock_timestamp(), minus
 * window end + grace). The first 15 s are warm-up and not counted.
 *
 * @example
 * ```ts
 * const result = await runLatency({ runId, endpoints, logDir, log, rate: 20_000, seconds: 120, keys: 10_000, partitions: 6 });
 * ```
 */
export async function runLatency(options: {
  readonly runId: string;
  readonly endpoints: BenchEndpoints;
  readonly logDir: string;
  readonly log: (line: string) => void;
  readonly rate: number;
  readonly seconds: number;
  readonly keys: number;
  readonly partitions: number;
}): Promise<LatencyResult> {
  const { endpoints, log } = options;
  const group = `bench-${options.runId}-latency`;
  const input = `${group}.events`;
  const updates = `${group}.updates`;
  const table = `bench_latency_${options.runId.replace(/-/g, '_')}`;
  const schema = JSON.parse(readFileSync(BENCH_SCHEMA_FILE, 'utf8')) as avro.Schema;
  const type = avro.Type.forSchema(schema);
  const registry = new HttpSchemaRegistry({ url: endpoints.registryUrl });
  const schemaId = await registry.register(`${input}-value`, schema as never);
  const admin = new KafkaAdmin({ 'bootstrap.servers': endpoints.bootstrap });
  await admin.ensureTopics([{ name: input, partitions: options.partitions }]);
  admin.close();
  const pool = new pg.Pool({ connectionString: endpoints.databaseUrl, max: 1 });
  await pool.query(`drop table if exists ${table}`);
  await pool.query(`create table ${table} (
    key text not null, window_start timestamptz not null, window_end timestamptz not null,
    count bigint not null, sum double precision not null, avg double precision not null, max double precision not null,
    written_at timestamptz not null default clock_timestamp(), primary key (key, window_start))`);

  log(`latency run: ${options.rate.toLocaleString('en-US')} events/s for ${options.seconds} s (first ${WARM_UP_MS / 1000} s warm-up)`);
  const sluice = ContenderProcess.start(
    sluiceCommand({ topology: 'bench-latency', input, table: `${group}.final`, dlq: `${group}.dlq`, group, env: { BENCH_UPDATES_TOPIC: updates, BENCH_SINK_TABLE: table, SLUICE_METRICS_PORT: String(METRICS_PORT) } }),
    join(options.logDir, `${group}.log`),
  );
  const keyBuffers = Array.from({ length: options.keys }, (_, i) => Buffer.from(keyName(i)));
  const keyPartition = keyBuffers.map((k) => partitionForKey(k, options.partitions));
  const producer = await RecordProducer.connect({ 'bootstrap.servers': endpoints.bootstrap, 'linger.ms': 5 });
  const reader = new TableTopicReader(endpoints, updates, registry, (row) => Number(row.last_ts));
  const finalReader = new TableTopicReader(endpoints, `${group}.final`, registry, (row) => Number(row.window_end) + GRACE_MS);
  const started = Date.now();
  const warmUpEnd = started + WARM_UP_MS;
  let produced = 0;
  try {
    await reader.start();
    await finalReader.start();
    const pending: Promise<void>[] = [];
    let seq = 0;
    // Every 10 ms, the records due by now: a steady rate, not bursts per second.
    while (Date.now() - started < options.seconds * 1000) {
      if (sluice.child.exitCode !== null) throw new Error(`sluice exited with code ${sluice.child.exitCode}; see ${options.logDir}`);
      const due = Math.floor(((Date.now() - started) / 1000) * options.rate) - produced;
      if (due > 0) {
        const records: OutgoingRecord[] = [];
        const now = Date.now();
        for (let i = 0; i < due; i++) {
          const k = (seq * 7919) % options.keys;
          const body = type.toBuffer({ key: keyName(k), ts: now, value: (seq % 100_000) / 100, seq, site: 'site-000', unit: 'kPa', quality: 1, lat: 48.1, lon: 11.5, note: 'latency run' });
          const payload = Buffer.allocUnsafe(body.length + 5);
          writeWireHeader(payload, schemaId);
          body.copy(payload, 5);
          records.push({ topic: input, partition: keyPartition[k]!, key: keyBuffers[k]!, value: payload, timestamp: now });
          seq += 1;
        }
        produced += due;
        pending.push(producer.produceAll(records));
        if (pending.length > 200) await Promise.all(pending.splice(0, 100));
      }
      reader.poll(warmUpEnd);
      finalReader.poll(warmUpEnd);
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(pending);
    const achievedRate = produced / ((Date.now() - started) / 1000);
    // Let the last closed windows reach PostgreSQL and the last updates the reader.
    const settle = Date.now() + 10_000;
    while (Date.now() < settle) {
      reader.poll(warmUpEnd);
      finalReader.poll(warmUpEnd);
      await new Promise((r) => setTimeout(r, 20));
    }
    const metrics = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`).then((r) => r.text()).catch((error: unknown) => `# not scraped: ${String(error)}`);
    writeFileSync(join(options.logDir, `${group}.metrics.txt`), metrics);
    const { rows } = await pool.query<{ latency: number }>(
      `select (extract(epoch from written_at) * 1000 - (extract(epoch from window_end) * 1000 + ${GRACE_MS}))::float8 as latency
         from ${table} where window_start >= to_timestamp(${warmUpEnd / 1000})`,
    );
    return { targetRate: options.rate, achievedRate, seconds: options.seconds, eventToTable: figures(reader.samples), closeToTable: figures(finalReader.samples), closeToRow: figures(rows.map((r) => r.latency)) };
  } finally {
    await reader.close();
    await finalReader.close();
    await producer.close();
    await sluice.stop();
    await pool.query(`drop table if exists ${table}`);
    await pool.end();
  }
}

/**
 * Reads a table topic (read_committed) and records, per record, its arrival
 * time minus a reference time taken from the row (newest event time of an
 * update; window end + grace of a final row).
 */
class TableTopicReader {
  readonly samples: number[] = [];
  readonly #consumer: InstanceType<typeof KafkaConsumer>;
  readonly #decoder: WireDecoder;
  readonly #topic: string;
  readonly #reference: (row: Record<string, unknown>) => number;
  #busy = false;

  constructor(endpoints: BenchEndpoints, topic: string, registry: HttpSchemaRegistry, reference: (row: Record<string, unknown>) => number) {
    this.#topic = topic;
    this.#reference = reference;
    this.#decoder = new WireDecoder(registry);
    this.#consumer = new KafkaConsumer({
      'bootstrap.servers': endpoints.bootstrap,
      'group.id': `${topic}-reader`,
      'isolation.level': 'read_committed',
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      'topic.metadata.refresh.interval.ms': 1_000,
      'allow.auto.create.topics': false,
      'fetch.wait.max.ms': 10,
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#consumer.connect({}, (error) => (error ? reject(error) : resolve())));
    this.#consumer.subscribe([this.#topic]);
    this.#consumer.setDefaultConsumeTimeout(0);
  }

  /** Drains what has arrived, without blocking the producer loop for long. */
  poll(countFrom: number): void {
    if (this.#busy) return;
    this.#busy = true;
    this.#consumer.consume(5_000, (error, messages: Message[]) => {
      const arrived = Date.now();
      if (!error) void this.#record(messages, arrived, countFrom).finally(() => (this.#busy = false));
      else this.#busy = false;
    });
  }

  async #record(messages: readonly Message[], arrived: number, countFrom: number): Promise<void> {
    for (const message of messages) {
      const row = await this.#decoder.decode<Record<string, unknown>>(message.value);
      if (!row) continue;
      const reference = this.#reference(row);
      if (reference >= countFrom) this.samples.push(arrived - reference);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#consumer.disconnect(() => resolve()));
  }
}
