import { sql } from 'kysely';
import { plan, postgres, topology, TopologyDefinitionError, type InputRecord } from 'sluice';
import { InMemorySchemaRegistry } from 'sluice/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadLetterColumns } from '../../../src/sinks/postgres/dead-letter-columns.js';
import { BatchContext } from '../../../src/runtime/batch-context.js';
import { DeadLetterRecordDecoder } from '../../../src/runtime/sink/dead-letter-record-decoder.js';
import { DEAD_LETTER_ROW_SCHEMA, deadLetterRow, toJson, type DeadLetterRow } from '../../../src/runtime/sink/dead-letter-row.js';
import { sinkSource } from '../../../src/runtime/sink/sink-source.js';
import { AvroCodec, RegistryUnavailableError } from '../../../src/serde/index.js';
import type { PostgresSinkSpec, SinkRecord } from '../../../src/sinks/index.js';
import { createPostgresSink } from '../../../src/sinks/postgres/index.js';
import { openPgliteDatabase, type TestDatabase } from '../../integration/postgres/support/test-database.js';

interface Ev {
  id: string;
  n: number;
  blob: Buffer;
  at: number;
}
const EV_SCHEMA = {
  type: 'record', name: 'Ev',
  fields: [{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'blob', type: 'bytes' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
} as const;

const dlqPlan = plan(
  topology('dl')
    .source<Ev>('dl.in', { schema: EV_SCHEMA, eventTime: 'at' })
    .validate('positive', (e) => e.n > 0 || 'n must be positive')
    .deadLetter('dl.dlq', { sink: ['dlq-pg', postgres({ table: 'dlq_events', mode: 'insert-ignore' })] })
    .to('dl.out'),
);

/** A dead-letter record exactly as a task produces it (BatchContext.deadLetter), as read back from the DLQ topic at `offset`. */
function dlqRecord(origin: InputRecord, offset: bigint, reason: 'invalid' | 'late' = 'invalid', step = 'positive', message = 'n must be positive'): InputRecord {
  const ctx = new BatchContext(1_763_000_100_000);
  ctx.deadLetter(origin, 'dl.dlq', reason, step, message);
  const out = ctx.outputs[0]!;
  return { topic: 'dl.dlq', partition: 0, offset, timestamp: out.timestamp, key: out.key, value: out.value, headers: out.headers };
}

async function codec(registry: InMemorySchemaRegistry): Promise<AvroCodec<Ev>> {
  const c = new AvroCodec<Ev>({ registry, subject: 'dl.in-value', readerSchema: EV_SCHEMA });
  await c.registerWriter();
  return c;
}

describe('.deadLetter(topic, { sink })', () => {
  test('plans a sink on the dead-letter topic that reads DeadLetterRow values in its own group', () => {
    expect(dlqPlan.sinks).toEqual([{ name: 'dlq-pg', topic: 'dl.dlq', spec: expect.objectContaining({ kind: 'postgres', table: 'dlq_events' }) }]);
    const source = sinkSource(dlqPlan, 'dlq-pg', () => EV_SCHEMA);
    expect(source).toMatchObject({ kind: 'dead-letter', groupId: 'dl.dlq-pg', deadLetterTopic: 'dl.dlq-pg.dlq', keySchema: undefined });
    expect(source.fields).toEqual(DEAD_LETTER_ROW_SCHEMA.fields.map((f) => f.name));
  });

  test('refuses a sink without a kind, a name taken by a step, and a second sink on the same dead-letter topic', () => {
    const base = () => topology('dl2').source<Ev>('dl2.in', { schema: EV_SCHEMA, eventTime: 'at' });
    expect(() => plan(base().deadLetter('dl2.dlq', { sink: ['x', {} as PostgresSinkSpec] }).to('o'))).toThrow(/x.*has no kind/);
    expect(() => plan(base().validate('v', () => true).deadLetter('dl2.dlq', { sink: ['v', postgres({ table: 't' })] }).to('o'))).toThrow(TopologyDefinitionError);
    expect(() =>
      plan(base().deadLetter('dl2.dlq', { sink: ['a', postgres({ table: 't' })] }).split('s', {
        one: (s) => s.deadLetter('dl2.dlq', { sink: ['b', postgres({ table: 't' })] }).to('o1'),
        two: (s) => s.to('o2'),
      })),
    ).toThrow(/already has a sink/);
  });
});

describe('deadLetterRow', () => {
  test('maps the error and source headers, both timestamps, the original bytes and the decoded payload', () => {
    const origin: InputRecord = { topic: 'dl.in', partition: 2, offset: 41n, timestamp: 1_763_000_040_000, key: Buffer.from('k1'), value: Buffer.from([0, 0, 0, 0, 7, 1]), headers: {} };
    const row = deadLetterRow(dlqRecord(origin, 9n), { id: 'e1', blob: Buffer.from('hi'), n: 3 });
    expect(row).toEqual<DeadLetterRow>({
      source_topic: 'dl.in', source_partition: 2, source_offset: 41n, step: 'positive', reason: 'invalid', message: 'n must be positive',
      source_timestamp: 1_763_000_040_000, failed_at: 1_763_000_100_000, key: Buffer.from('k1'), payload: origin.value, payload_json: { id: 'e1', blob: 'aGk=', n: 3 },
    });
  });

  test('keeps the source coordinates propagated through a repartition topic', () => {
    const viaRepartition: InputRecord = {
      topic: 'dl.by-x-repartition', partition: 0, offset: 5n, timestamp: 1, key: null, value: null,
      headers: { 'sluice.source.topic': Buffer.from('dl.in'), 'sluice.source.partition': Buffer.from('1'), 'sluice.source.offset': Buffer.from('77') },
    };
    expect(deadLetterRow(dlqRecord(viaRepartition, 0n, 'late', 'w', 'late!'), undefined)).toMatchObject({ source_topic: 'dl.in', source_partition: 1, source_offset: 77n, reason: 'late', step: 'w', payload: null, payload_json: null });
  });

  test('a record without Sluice headers lands under its own coordinates with reason unknown', () => {
    const foreign: InputRecord = { topic: 'dl.dlq', partition: 0, offset: 3n, timestamp: 5, key: null, value: Buffer.from('x'), headers: { 'sluice.source.topic': Buffer.from('half') } };
    expect(deadLetterRow(foreign, undefined)).toMatchObject({ source_topic: 'dl.dlq', source_partition: 0, source_offset: 3n, reason: 'unknown', step: '', message: '', source_timestamp: null, failed_at: 5 });
  });

  test('toJson makes plain JSON of Avro values', () => {
    expect(toJson({ b: new Uint8Array([1, 2]), big: 2n ** 70n, inf: Infinity, list: [null, 'a'], nested: { d: new Date(0) } })).toEqual({
      b: 'AQI=', big: '1180591620717411303424', inf: 'Infinity', list: [null, 'a'], nested: { d: '1970-01-01T00:00:00.000Z' },
    });
  });
});

describe('DeadLetterRecordDecoder', () => {
  test('decodes each payload with its writer schema; bytes that do not decode give payload_json null, never a DLQ entry', async () => {
    const registry = new InMemorySchemaRegistry();
    const ev = await codec(registry);
    const good = ev.encode({ id: 'e1', n: -1, blob: Buffer.from([255]), at: 1_000 });
    const at = (value: Buffer | null, offset: bigint): InputRecord => dlqRecord({ topic: 'dl.in', partition: 0, offset, timestamp: 1_000, key: null, value, headers: {} }, offset);
    const unknownId = Buffer.from(good);
    unknownId.writeInt32BE(9_999, 1);
    const polled = [at(good, 0n), at(Buffer.from('{"id":"e1"}'), 1n), at(unknownId, 2n), at(good.subarray(0, good.length - 2), 3n), at(null, 4n)];
    const { records, undecodable } = await new DeadLetterRecordDecoder(registry).decode(polled);
    expect(undecodable).toEqual([]);
    expect(records.map((r) => (r.value as DeadLetterRow).payload_json)).toEqual([{ id: 'e1', n: -1, blob: '/w==', at: 1_000 }, null, null, null, null]);
    expect(records.map((r) => [r.offset, r.key, (r.value as DeadLetterRow).source_offset])).toEqual([0n, 1n, 2n, 3n, 4n].map((o) => [o, null, o]));
  });

  test('a registry outage rejects the poll (to be retried) instead of storing payload_json null', async () => {
    const writer = new InMemorySchemaRegistry();
    const good = (await codec(writer)).encode({ id: 'e1', n: -1, blob: Buffer.alloc(0), at: 1 });
    const registry = new InMemorySchemaRegistry();
    registry.setAvailable(false);
    const record = dlqRecord({ topic: 'dl.in', partition: 0, offset: 0n, timestamp: 1, key: null, value: good, headers: {} }, 0n);
    await expect(new DeadLetterRecordDecoder(registry).decode([record])).rejects.toBeInstanceOf(RegistryUnavailableError);
  });
});

describe('dead-letter rows in dlq_events (PGlite, sql/ migrations applied)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openPgliteDatabase();
  }, 60_000);
  afterAll(() => database?.close());

  test('land once per source record and step, payload_json as jsonb, replays ignored', async () => {
    const registry = new InMemorySchemaRegistry();
    const ev = await codec(registry);
    const source = sinkSource(dlqPlan, 'dlq-pg', () => EV_SCHEMA);
    const spec = deadLetterColumns(dlqPlan.sinks[0]!.spec as PostgresSinkSpec, source.fields);
    const sink = createPostgresSink({ name: 'dlq-pg', consumerGroup: source.groupId, db: database.db, spec, fields: source.fields });
    const origin = (offset: bigint, value: Buffer): InputRecord => ({ topic: 'dl.in', partition: 1, offset, timestamp: 1_763_000_040_000, key: Buffer.from('k'), value, headers: {} });
    const polled = [
      dlqRecord(origin(10n, ev.encode({ id: 'a', n: 0, blob: Buffer.from('x'), at: 5 })), 0n),
      dlqRecord(origin(11n, Buffer.from('garbage')), 1n, 'bad-magic' as 'invalid', 'dl.in', 'first byte is 0x67'),
      dlqRecord(origin(10n, ev.encode({ id: 'a', n: 0, blob: Buffer.from('x'), at: 5 })), 2n, 'late', 'w', 'too late'),
    ];
    const decoded = await new DeadLetterRecordDecoder(registry).decode(polled);
    expect((await sink.writeBatch({ records: decoded.records })).written).toBe(3);
    // The same dead letters again at later DLQ offsets (an at-least-once re-send): the key ignores them.
    const again: SinkRecord[] = decoded.records.map((r) => ({ ...r, offset: r.offset + 3n }));
    expect((await sink.writeBatch({ records: again })).written).toBe(0);
    const { rows } = await sql<Record<string, unknown>>`
      select source_topic, source_partition, source_offset::text as o, step, reason, message, payload_json, encode(payload, 'escape') as raw,
             (extract(epoch from source_timestamp) * 1000)::bigint::text as st, (extract(epoch from failed_at) * 1000)::bigint::text as fa
      from dlq_events order by source_offset, step`.execute(database.db);
    expect(rows).toEqual([
      expect.objectContaining({ o: '10', step: 'positive', reason: 'invalid', payload_json: { id: 'a', n: 0, blob: 'eA==', at: 5 }, st: '1763000040000', fa: '1763000100000' }),
      expect.objectContaining({ o: '10', step: 'w', reason: 'late', message: 'too late' }),
      expect.objectContaining({ source_topic: 'dl.in', source_partition: 1, o: '11', reason: 'bad-magic', payload_json: null, raw: 'garbage' }),
    ]);
    await sink.close();
  }, 60_000);
});
