import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { busEventSchema, busWorkload, T0 } from '../../support/bus-workload.js';
import { eventually, produceAvro } from '../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

const stack = inject('stack');
const run = `dl${randomUUID().slice(0, 8)}`;
const name = `dlqsink-${run}`;
const source = `dlqsink.${run}.bus`;
const dlq = `dlqsink.${run}.dlq`;
const schema = `sluice_t_${run}`;

// An append table without a key: a dead letter written twice would show as a second row.
const project = fixtureProject(name, {
  [`topologies/${name}.ts`]: `import { postgres, topology } from 'sluice';
const schema = ${JSON.stringify(busEventSchema)};
export default topology('${name}')
  .source('${source}', { schema, eventTime: 'timestamp' })
  .validate('ranges', (e: { speed_kmh: number }) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
  .deadLetter('${dlq}', { sink: ['dlq-pg', postgres({ table: 'dlq_log', mode: 'append' })] })
  .to('dlqsink.${run}.ok');
`,
  'sql/002_dlq_log.sql': `create table dlq_log (
  source_topic text not null, source_partition integer not null, source_offset bigint not null, step text not null,
  reason text not null, message text not null, source_timestamp timestamptz, failed_at timestamptz not null,
  key bytea, payload bytea, payload_json jsonb);`,
});

function databaseUrl(): string {
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

function start(): SluiceProcess {
  return new SluiceProcess(['run', name, '--instance-id', 'fixture'], {
    cwd: project.dir,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: databaseUrl(),
      SLUICE_KAFKA_SESSION_TIMEOUT_MS: '10000', SLUICE_KAFKA_HEARTBEAT_INTERVAL_MS: '2000', SLUICE_METRICS_PORT: '0',
    },
  });
}

describe('a sink on a dead-letter topic (sluice run, real stack)', () => {
  const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  afterAll(async () => {
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    await c.connect();
    await c.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await c.end();
    await admin.deleteTopics([source, dlq, `dlqsink.${run}.ok`, `${name}.dlq-pg.dlq`]).catch(() => {});
    admin.close();
    project.remove();
  });

  it('kill -9 of sluice run three times mid-stream: every dead letter is one row, with its source coordinates and decoded payload', async () => {
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    await c.connect();
    await c.query(`create schema "${schema}"`);
    await c.end();
    await admin.ensureTopics([{ name: source, partitions: 3 }]);
    // Event times moved to now: the DLQ is stamped now anyway, but the source topic's retention counts from event time.
    const shift = Math.floor((Date.now() - T0) / 60_000) * 60_000;
    const input = busWorkload({ count: 6_000, routes: 6, seed: 71, invalidEvery: 4 }).map((e) => ({ ...e, value: { ...e.value, timestamp: e.value.timestamp + shift } }));
    const invalid = input.filter((e) => e.invalid);
    const chunks = 6;
    const size = Math.ceil(input.length / chunks);
    let child = start();
    const children = [child];
    let kills = 0;
    try {
      await child.waitForLog('sink dlq-pg: partitions assigned', 90_000);
      for (let i = 0; i < chunks; i++) {
        await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, busEventSchema, input.slice(i * size, (i + 1) * size));
        if (i >= 1 && i <= 3) {
          await sleep(1_000 + 500 * i);
          child.kill('SIGKILL');
          expect((await child.exited).signal).toBe('SIGKILL');
          kills++;
          child = start();
          children.push(child);
          await child.waitForLog('sink dlq-pg: partitions assigned', 90_000);
        }
      }
      const done = await eventually(async () => {
        const [row] = await query<{ n: string }>('select count(*)::text as n from dlq_log');
        return Number(row?.n) >= invalid.length ? undefined : `${row?.n} rows, expected ${invalid.length}`;
      }, 150_000, 1_000);
      expect(done, child.tail()).toBeUndefined();
      // Anything replayed after a restart would arrive now, on top of the full count.
      await sleep(3_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited, child.tail()).toEqual({ code: 0, signal: null });
    expect(kills).toBe(3);
    const resumed = children.slice(1).flatMap((p) => p.lines).filter((l) => String(l.msg).startsWith('sink dlq-pg: partitions assigned'));
    expect(resumed.some((l) => (l.positions as string[]).some((p) => !p.endsWith('@beginning'))), JSON.stringify(resumed)).toBe(true);

    const rows = await query<{ source_topic: string; source_partition: number; source_offset: string; step: string; reason: string; message: string; bus_id: string; t: string; speed: number; raw: number }>(
      `select source_topic, source_partition, source_offset::text, step, reason, message, payload_json->>'bus_id' as bus_id,
              payload_json->>'timestamp' as t, (payload_json->>'speed_kmh')::float8 as speed, length(payload) as raw from dlq_log`,
    );
    expect(rows.length).toBe(invalid.length);
    expect(new Set(rows.map((r) => `${r.source_partition}@${r.source_offset}`)).size).toBe(invalid.length);
    expect(rows.every((r) => r.source_topic === source && r.step === 'ranges' && r.reason === 'invalid' && r.message === 'speed_kmh out of range' && r.raw > 5)).toBe(true);
    const identity = (bus: string, t: number | string, speed: number): string => `${bus}@${t}@${speed}`;
    expect(rows.map((r) => identity(r.bus_id, r.t, r.speed)).sort()).toEqual(invalid.map((e) => identity(e.value.bus_id, e.value.timestamp, e.value.speed_kmh)).sort());
  });
});
