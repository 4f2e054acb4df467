import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { seededRandom } from '../../support/bus-workload.js';
import { eventually, produceAvro } from '../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

// Issue 18: `sluice run` creates Sluice's own tables whenever it opens a database for a sink, even
// with --no-migrate and no sql/ folder: a project needs no copy of an offsets file.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const name = `fw-${run}`;
const source = `fw.${run}.pings`;
const copied = `fw.${run}.copied`;
const dbSchema = `sluice_t_fwrun_${run}`;
const pingSchema = { type: 'record', name: 'Ping', namespace: `dev.sluice.fw${run}`, fields: [{ name: 'id', type: 'string' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }] } as const;

// No sql/ at all: the user keeps ping_copy by hand, Sluice keeps its own tables.
const project = fixtureProject(`fwrun-${run}`, {
  [`topologies/${name}.ts`]: `import { postgres, topology } from 'sluice';
export default topology('${name}').source<{ id: string; at: number }>('${source}', { schema: ${JSON.stringify(pingSchema)}, eventTime: 'at' })
  .to('${copied}')
  .sink('copy-pg', postgres({ table: 'ping_copy', mode: 'append' }));
`,
});
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const databaseUrl = ((): string => {
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', `-c search_path=${dbSchema}`);
  return url.toString();
})();

async function query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

function start(extra: readonly string[]): SluiceProcess {
  return new SluiceProcess(['run', name, ...extra], {
    cwd: project.dir,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, SLUICE_METRICS_PORT: '0',
      KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: databaseUrl,
    },
  });
}

async function stop(sluice: SluiceProcess): Promise<void> {
  sluice.kill('SIGTERM');
  expect((await sluice.exited).code, sluice.tail()).toBe(0);
}

const random = seededRandom(18);
const pings = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `k${Math.floor(random() * 5)}`, value: { id: `p${from + i}`, at: 1_700_000_000_000 + Math.floor(random() * 1e6) } }));
const copiedIds = async () => (await query<{ id: string }>('select id from ping_copy order by id')).map((r) => r.id);
const expectedIds = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`).sort();

beforeAll(async () => {
  await admin.ensureTopics([{ name: source, partitions: 1 }]);
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query(`create schema "${dbSchema}"`);
  await client.end();
  await query('create table ping_copy (id text not null, at timestamptz not null)');
});

afterAll(async () => {
  project.remove();
  await admin.deleteTopics([source, copied, `${name}.copy-pg.dlq`]).catch(() => {});
  admin.close();
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query(`drop schema if exists "${dbSchema}" cascade`);
  await client.end();
});

describe('sluice run and Sluice\'s own tables', () => {
  it('--no-migrate in a project without sql/ still creates them; the sink copies every record once, across a restart', async () => {
    const first = pings(0, 20 + Math.floor(random() * 30));
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, pingSchema, first);
    let sluice = start(['--no-migrate']);
    try {
      await sluice.waitForLog("Sluice's own tables: schema v0 → v2 (v1 migration ledger, v2 sink offsets)", 60_000);
      expect(await eventually(async () => {
        const ids = await copiedIds();
        return ids.length === first.length ? undefined : `${ids.length}/${first.length} rows`;
      }, 90_000)).toBeUndefined();
    } finally {
      await stop(sluice);
    }
    expect(sluice.lines.some((l) => String(l.msg).includes('no sql/ folder')), '--no-migrate: no talk of sql/').toBe(false);
    const tables = await query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = '${dbSchema}' order by 1`);
    expect(tables.map((r) => r.t)).toEqual(['ping_copy', 'sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
    const positions = await query<{ consumer_group: string; topic: string; next_offset: string }>('select consumer_group, topic, next_offset from sluice_offsets');
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ consumer_group: `${name}.copy-pg`, topic: copied });
    // Transaction markers take offsets too: the position is at least one past each copied record.
    expect(BigInt(positions[0]!.next_offset)).toBeGreaterThanOrEqual(BigInt(first.length));

    // Started again (migrations on, still no sql/): current tables, and the stored position means no record twice.
    const second = pings(first.length, 10);
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, pingSchema, second);
    sluice = start([]);
    try {
      await sluice.waitForLog("Sluice's own tables: schema v2, up to date", 60_000);
      await sluice.waitForLog("no sql/ folder: only Sluice's own tables", 10_000);
      const total = first.length + second.length;
      expect(await eventually(async () => {
        const ids = await copiedIds();
        return ids.length >= total ? undefined : `${ids.length}/${total} rows`;
      }, 90_000)).toBeUndefined();
    } finally {
      await stop(sluice);
    }
    expect(await copiedIds()).toEqual(expectedIds(first.length + second.length));
  });
});
