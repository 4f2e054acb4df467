import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BatchConsumer, KafkaAdmin, RecordProducer } from '../../../src/kafka/index.js';
import { AvroCodec, HttpSchemaRegistry, type AvroSchema } from '../../../src/serde/index.js';
import { createPostgresSink, openDatabase, runMigrations, type OpenedDatabase } from '../../../src/sinks/postgres/index.js';
import { postgres } from '../../../src/sinks/postgres/postgres-sink-spec.js';
import type { SinkRecord } from '../../../src/sinks/sink.js';
import { examplesOnlyDir } from '../../support/repo-examples.js';

interface SmokeEvent {
  id: string;
  seq: number;
  amount: number;
  note: string | null;
  ts: number;
}

const SMOKE_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'SmokeEvent',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

const COUNT = 1_000;
const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const topic = `smoke.events.${run}`;
const table = `smoke_events_${run}`;
const sent: SmokeEvent[] = Array.from({ length: COUNT }, (_, i) => ({
  id: `evt-${run}-${i}`,
  seq: i,
  amount: Math.round(i * 1.37 * 100) / 100,
  note: i % 3 === 0 ? null : `note ${i} ✓`,
  ts: 1_763_000_000_000 + i * 997,
}));

let database: OpenedDatabase;
let admin: KafkaAdmin;

beforeAll(async () => {
  console.info(`smoke test on stack mode "${stack.mode}": kafka ${stack.kafkaBootstrapServers}, registry ${stack.schemaRegistryUrl}`);
  admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  database = await openDatabase({ databaseUrl: stack.databaseUrl });
  await runMigrations(database.db, examplesOnlyDir('sql'));
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query(`create table ${table} (id text primary key, seq bigint not null, amount double precision not null, note text, ts timestamptz not null)`);
  await client.end();
});

afterAll(async () => {
  await admin?.deleteTopics([topic]).catch(() => {});
  admin?.close();
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query(`drop table if exists ${table}`);
  await client.query(`delete from sluice_offsets where consumer_group = $1`, [`smoke-${run}`]).catch(() => {});
  await client.end();
  await database?.close();
});

describe('smoke: Avro → Kafka → consumer group → PostgreSQL on the real stack', () => {
  it(`registers a schema, produces ${COUNT} Avro records, consumes and writes exactly ${COUNT} rows`, async () => {
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const writer = new AvroCodec<SmokeEvent>({ registry, subject: `${topic}-value`, readerSchema: SMOKE_SCHEMA });
    const schemaId = await writer.registerWriter();
    expect(schemaId).toBeGreaterThan(0);
    expect((await registry.getLatest(`${topic}-value`))?.id).toBe(schemaId);

    const producer = await RecordProducer.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    await producer.produceAll(sent.map((event) => ({ topic, key: Buffer.from(event.id), value: writer.encode(event) })));
    await producer.close();

    // A separate codec with a cold cache, as a separate consuming process would have.
    const reader = new AvroCodec<SmokeEvent>({ registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }), subject: `${topic}-value`, readerSchema: SMOKE_SCHEMA });
    const sink = createPostgresSink({ name: 'smoke', consumerGroup: `smoke-${run}`, db: database.db, spec: postgres({ table, key: ['id'] }) });
    await sink.open([0, 1, 2].map((partition) => ({ topic, partition })));
    const consumer = await BatchConsumer.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers, 'group.id': `smoke-${run}` }, [topic]);
    let consumed = 0;
    let written = 0;
    const deadline = Date.now() + 90_000;
    try {
      while (consumed < COUNT && Date.now() < deadline) {
        const messages = await consumer.poll(500, 1_000);
        if (messages.length === 0) continue;
        await reader.prepare(messages.map((m) => m.value));
        const records: SinkRecord[] = messages.map((m) => {
          const decoded = reader.decode(m.value);
          if (!decoded.ok) throw new Error(`record ${m.partition}@${m.offset} did not decode: ${decoded.reason} ${decoded.message}`);
          return { topic: m.topic, partition: m.partition, offset: BigInt(m.offset), key: m.key, value: decoded.value };
        });
        const outcome = await sink.writeBatch({ records });
        expect(outcome.rejected).toEqual([]);
        written += outcome.written;
        consumed += messages.length;
        await consumer.commit(outcome.nextOffsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.nextOffset) })));
      }
    } finally {
      await consumer.close();
      await sink.close();
    }
    expect(consumed).toBe(COUNT);
    expect(written).toBe(COUNT);

    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const rows = await client.query<{ id: string; seq: string; amount: number; note: string | null; ts: Date }>(`select id, seq, amount, note, ts from ${table} order by seq`);
      expect(rows.rowCount).toBe(COUNT);
      expect(new Set(rows.rows.map((r) => r.id)).size).toBe(COUNT);
      const received = rows.rows.map((r) => ({ id: r.id, seq: Number(r.seq), amount: r.amount, note: r.note, ts: r.ts.getTime() }));
      expect(received).toEqual(sent);
      const offsets = await client.query<{ sum: string }>(`select sum(next_offset)::text as sum from sluice_offsets where consumer_group = $1 and topic = $2`, [`smoke-${run}`, topic]);
      expect(Number(offsets.rows[0]?.sum)).toBe(COUNT);
    } finally {
      await client.end();
    }
  });
});
