import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { boundedSluiceRun, withDatabase } from '../../support/bounded-run.js';
import { produceAvro } from '../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

// Issue 17 item 6: definition and configuration errors end `sluice run` at start-up with exit 1,
// naming the file or variable and the fix, instead of retrying for ever.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const source = `startup.${run}.pings`;
const dbSchema = `startup_${run}`;
const pingSchema = { type: 'record', name: 'Ping', namespace: `dev.sluice.startup${run}`, fields: [{ name: 'id', type: 'string' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }] } as const;
/**
 * Longer than any start-up deadline of `sluice run` (30 s); reached only by a run that would
 * otherwise go on for ever, which then fails the test instead of hanging it.
 */
const BOUND_MS = 75_000;

const project = fixtureProject(`startup-${run}`, {
  'schemas/ping.avsc': JSON.stringify(pingSchema),
  'topologies/missing-schema.ts': `import { topology } from 'sluice';
export default topology('missing-schema').source<{ id: string; at: number }>('${source}', { schema: 'no-such', eventTime: 'at' }).to('${source}.copy');
`,
  'topologies/echo.ts': `import { topology } from 'sluice';
export default topology('echo').source<{ id: string; at: number }>('${source}', { schema: 'ping', eventTime: 'at' }).to('${source}.echo');
`,
  'topologies/copy.ts': `import { postgres, topology } from 'sluice';
export default topology('copy').source<{ id: string; at: number }>('${source}', { schema: 'ping', eventTime: 'at' })
  .to('${source}.copied')
  .sink('copy-pg', postgres({ table: 'ping_copy', mode: 'append' }));
`,
  'sql/002_ping_copy.sql': 'create table ping_copy (id text not null, at timestamptz not null);\n',
});

const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
const services = { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, SLUICE_METRICS_PORT: '0' };
/** The stack's database with this file's own schema first on the search path. */
const databaseUrl = ((): string => {
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', `-c search_path=${dbSchema}`);
  return url.toString();
})();

const database = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => withDatabase(stack.databaseUrl, work);
const sluiceRun = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> => boundedSluiceRun(project.dir, args, env, BOUND_MS);

beforeAll(async () => {
  await admin.ensureTopics([{ name: source, partitions: 1 }]);
  await database((client) => client.query(`create schema if not exists ${dbSchema}`));
});

afterAll(async () => {
  project.remove();
  await admin.deleteTopics([source, `${source}.copy`, `${source}.echo`, `${source}.copied`, `copy.copy-pg.dlq`]).catch(() => {});
  admin.close();
  await database((client) => client.query(`drop schema if exists ${dbSchema} cascade`));
});

describe.concurrent('sluice run: start-up errors exit 1 naming what is wrong and how to fix it', () => {
  it('a source whose schema names a missing file fails at load, before joining a group, naming the file, the source and the path', async () => {
    const result = await sluiceRun(['missing-schema'], services);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('topologies/missing-schema.ts');
    expect(result.stderr).toContain(`source '${source}'`);
    expect(result.stderr).toContain('schemas/no-such.avsc does not exist');
    expect(result.stderr).toContain('known: ping');
    expect(result.stderr, 'no talk of the test driver').not.toContain("driver's");
    expect(result.stderr, 'never joined its group').not.toContain('joined group');
  });

  it('an unreachable schema registry at start-up ends after a bounded wait, naming SCHEMA_REGISTRY_URL', async () => {
    const result = await sluiceRun(['echo'], { ...services, SCHEMA_REGISTRY_URL: 'http://user:s3cret-pw@127.0.0.1:1/apis/ccompat/v7' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('schema registry at http://***@127.0.0.1:1/apis/ccompat/v7 did not answer within 30 s');
    expect(result.stderr).toContain('check SCHEMA_REGISTRY_URL');
    expect(result.stderr, 'credentials never printed').not.toContain('s3cret-pw');
    expect(result.stderr, 'never joined its group').not.toContain('joined group');
  });

  it('a DATABASE_URL that is not a URL is refused up front, naming DATABASE_URL and the expected shape', async () => {
    const result = await sluiceRun(['copy'], { ...services, DATABASE_URL: 'not-a-url' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL ('not-a-url') is not a PostgreSQL URL");
    expect(result.stderr).toContain('postgres://user:password@host:5432/database');
    expect(result.stderr).not.toContain('ENOTFOUND');
  });

  it('a database that refuses connections at start-up names DATABASE_URL (password redacted) and the fix', async () => {
    const result = await sluiceRun(['copy'], { ...services, DATABASE_URL: 'postgres://postgres:hunter2-pw@127.0.0.1:1/x' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('could not connect to PostgreSQL at DATABASE_URL postgres://postgres:***@127.0.0.1:1/x');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('check DATABASE_URL');
    expect(result.stderr, 'password never printed').not.toContain('hunter2-pw');
  });
});

describe('sluice run --log-level debug', () => {
  it('logs what each checkpoint committed and each sink batch wrote: one line per batch, not per record', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 7}`, value: { id: `p${i}`, at: 1_700_000_000_000 + i } }));
    await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, source, pingSchema, records);
    const sluice = new SluiceProcess(['run', 'copy', '--log-level', 'debug'], { cwd: project.dir, env: { ...process.env, ...services, DATABASE_URL: databaseUrl } });
    try {
      await sluice.waitForLog('checkpoint committed', 60_000);
      await sluice.waitForLog('sink copy-pg: batch written', 60_000);
      const debug = sluice.lines.filter((line) => line.level === 'debug');
      const checkpoints = debug.filter((line) => line.msg === 'checkpoint committed');
      expect(checkpoints[0]).toMatchObject({ topology: 'copy' });
      expect(checkpoints.reduce((n, line) => n + Number(line.records), 0)).toBeLessThanOrEqual(records.length);
      expect(debug.length, 'debug lines are per batch, never per record').toBeLessThan(records.length / 5);
    } finally {
      sluice.kill('SIGTERM');
      await sluice.exited;
    }
  });
});
