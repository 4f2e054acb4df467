/**
 * The sink benchmark's peer: a plain `pg` loop, the way one writes it by hand
 *  — consume the table topic with librdkafka, decode, one multi-row
 * `INSERT … ON CONFLICT DO UPDATE` per poll (last value per row within the
 * poll), no offsets stored with the rows (so not exactly-once). Stopped by the
 * orchestrator once the table holds every row (SIGTERM).
 *
 *   node --import tsx bench/contenders/plain-pg-sink-main.ts <topic> <table>
 */
import pg from 'pg';
import { KafkaAdmin } from '../../src/kafka/index.js';
import { KafkaConsumer, type Message } from '../../src/kafka/rdkafka.js';
import { WireDecoder } from '../lib/wire-decoder.js';

const [topic, table] = process.argv.slice(2);
if (!topic || !table) throw new Error('usage: plain-pg-sink-main.ts <topic> <table>');
const bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
const decoder = new WireDecoder(process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });

interface Row {
  key: string;
  window_start: number;
  window_end: number;
  count: number;
  sum: number;
  avg: number;
  max: number;
}

const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
const partitions = (await admin.partitionCounts([topic])).get(topic) ?? 0;
admin.close();

const consumer = new KafkaConsumer({
  'bootstrap.servers': bootstrap,
  'group.id': `plain-pg-${process.pid}`,
  'enable.auto.commit': false,
  'isolation.level': 'read_committed',
  'auto.offset.reset': 'earliest',
  'fetch.max.bytes': 52_428_800,
});
await new Promise<void>((resolve, reject) => consumer.connect({}, (error) => (error ? reject(error) : resolve())));
consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
consumer.setDefaultConsumeTimeout(200);

const started = performance.now();
let records = 0;
const COLUMNS = 7;
const CHUNK = 5_000;

async function upsert(rows: Row[]): Promise<void> {
  for (let base = 0; base < rows.length; base += CHUNK) {
    const chunk = rows.slice(base, base + CHUNK);
    const params: unknown[] = [];
    const tuples = chunk.map((r, i) => {
      params.push(r.key, new Date(r.window_start), new Date(r.window_end), r.count, r.sum, r.avg, r.max);
      const o = i * COLUMNS;
      return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7})`;
    });
    await pool.query(
      `insert into ${table} (key, window_start, window_end, count, sum, avg, max) values ${tuples.join(',')} ` +
        'on conflict (key, window_start) do update set window_end = excluded.window_end, count = excluded.count, sum = excluded.sum, avg = excluded.avg, max = excluded.max',
      params,
    );
  }
}

let stopping = false;
process.on('SIGTERM', () => (stopping = true));
while (!stopping) {
  const messages = await new Promise<Message[]>((resolve, reject) => consumer.consume(10_000, (error, m) => (error ? reject(error) : resolve(m))));
  const latest = new Map<string, Row>();
  for (const message of messages) {
    const row = await decoder.decode<Row>(message.value);
    if (!row) continue;
    latest.set(`${row.key}@${row.window_start}`, row);
    records += 1;
  }
  if (latest.size > 0) await upsert([...latest.values()]);
}
console.log(JSON.stringify({ records, seconds: (performance.now() - started) / 1000 }));
await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
await pool.end();
