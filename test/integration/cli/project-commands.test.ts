import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { CliProject } from '../../support/cli-project.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8).replace(/-/g, '');
const project = new CliProject(`cli-${run}`);
const env = { SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: stack.databaseUrl, KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers };
const namespace = `dev.sluice.cli${run}`;

project.write('schemas/ping.avsc', { type: 'record', name: 'Ping', namespace, fields: [{ name: 'id', type: 'string' }, { name: 'at', type: 'long' }] });
project.write('schemas/unused.avsc', { type: 'record', name: 'Unused', namespace, fields: [{ name: 'x', type: 'int' }] });
project.write(
  'topologies/echo.ts',
  `import { topology } from 'sluice';
export default topology('echo').source<{ id: string; at: number }>('cli-${run}.pings', { schema: 'ping', eventTime: 'at' }).deadLetter('cli-${run}.dlq').to('cli-${run}.pongs');
`,
);
project.write(
  'topologies/counts.ts',
  `import { count, postgres, topology, tumbling } from 'sluice';
export default topology('counts')
  .source<{ id: string; at: number }>('cli-${run}.pings', { schema: 'ping', eventTime: 'at' })
  .deadLetter('cli-${run}.dlq')
  .groupBy('by-id', 'id')
  .window('per-minute', tumbling('1m'))
  .aggregate('per-id', { events: count() })
  .toTable('cli-${run}.counts')
  .sink('counts-pg', postgres({ table: 'cli_counts', key: ['id', 'window_start'] }));
`,
);

afterAll(async () => {
  project.cleanup();
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    await client.query(`drop table if exists cli_${run}_a, cli_${run}_b`);
    await client.query(`delete from sluice_migrations where name like $1`, [`%_cli_${run}_%`]);
  } finally {
    await client.end();
  }
});

describe('sluice list and describe', () => {
  it('list names every topology with a summary; a broken one is listed as INVALID and the exit code says so', async () => {
    const ok = await project.sluice(['list'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual([
      `counts  cli-${run}.pings → cli-${run}.dlq (dead letters), cli-${run}.counts (table) · sinks: counts-pg (postgres)`,
      `echo    cli-${run}.pings → cli-${run}.dlq (dead letters), cli-${run}.pongs`,
    ]);
    project.write('topologies/broken.ts', `import { topology } from 'sluice';\nexport default topology('broken').source<{ at: number }>('x', { schema: 'ping', eventTime: 'at' }).validate('check', () => true).to('y');\n`);
    try {
      const broken = await project.sluice(['list'], env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/^broken {2}INVALID: .*dead-letter/m);
      expect(broken.stdout).toContain('echo    ');
    } finally {
      project.remove('topologies/broken.ts');
    }
  });

  it('describe prints text, mermaid and JSON; an unknown name exits 2 listing the known ones', async () => {
    const text = await project.sluice(['describe', 'counts'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Topology: counts\n {2}Sub-topology: 0\n/);
    expect(text.stdout).toContain(`counts-pg (postgres) <-- cli-${run}.counts`);
    const mermaid = await project.sluice(['describe', 'counts', '--format', 'mermaid'], env);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    const json = await project.sluice(['describe', 'echo', '--format', 'json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ topology: 'echo', sinks: [] });
    const unknown = await project.sluice(['describe', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no topology named "nope" in topologies/ — known: counts, echo');
    const usage = await project.sluice(['describe', 'echo', '--format', 'yaml'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("argument 'yaml' is invalid");
  });
});

describe('sluice schemas', () => {
  it('register is idempotent and sets the compatibility level; check passes; unused schemas are skipped with a note', async () => {
    const first = await project.sluice(['schemas', 'register', '--compatibility', 'FULL'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^created {3}ping -> cli-${run}\\.pings-value: id \\d+, version 1$`, 'm'));
    expect(first.stdout).toMatch(new RegExp(`^created {3}ping -> cli-${run}\\.pongs-value: id \\d+, version 1$`, 'm'));
    expect(first.stderr).toContain('note: schemas/unused.avsc is used by no topology');
    const again = await project.sluice(['schemas', 'register'], env);
    expect(again.stdout).toMatch(new RegExp(`^unchanged ping -> cli-${run}\\.pings-value: id \\d+, version 1$`, 'm'));
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    expect(await registry.getCompatibility(`cli-${run}.pings-value`)).toBe('FULL');
    const check = await project.sluice(['schemas', 'check'], env);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('2 subject(s) checked');
  });

  it('--subject-strategy record checks every schema under its record name', async () => {
    const check = await project.sluice(['schemas', 'check', '--subject-strategy', 'record'], env);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`ok   ping -> ${namespace}.Ping: new subject`);
    expect(check.stdout).toContain(`ok   unused -> ${namespace}.Unused: new subject`);
  });

  it('an unreachable registry is one readable line and exit 1; a schema a topology names but schemas/ lacks fails check', async () => {
    const down = await project.sluice(['schemas', 'check', '--registry', 'http://127.0.0.1:9/apis/ccompat/v7'], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^sluice schemas check: schema registry unreachable: .*is it running\?/m);
    project.write('topologies/orders.ts', `import { topology } from 'sluice';\nexport default topology('orders').source<{ at: number }>('cli-${run}.orders', { schema: 'order', eventTime: 'at' }).to('cli-${run}.orders-copy');\n`);
    try {
      const missing = await project.sluice(['schemas', 'check'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`error: topology 'orders' reads topic 'cli-${run}.orders' with schema 'order', but schemas/order.avsc does not exist`);
    } finally {
      project.remove('topologies/orders.ts');
    }
  });

  it('codegen writes the types; --check fails once a schema changed and passes after regenerating', async () => {
    const out = await project.sluice(['schemas', 'codegen', '--out', 'generated/schemas.ts'], env);
    expect(out.code, out.stderr).toBe(0);
    const source = readFileSync(join(project.dir, 'generated/schemas.ts'), 'utf8');
    expect(source).toContain('export interface Ping {\n  id: string;\n  at: number;\n}');
    expect((await project.sluice(['schemas', 'codegen', '--out', 'generated/schemas.ts', '--check'], env)).code).toBe(0);
    project.write('schemas/ping.avsc', { type: 'record', name: 'Ping', namespace, fields: [{ name: 'ping_id', type: 'string' }, { name: 'at', type: 'long' }] });
    const stale = await project.sluice(['schemas', 'codegen', '--out', 'generated/schemas.ts', '--check'], env);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('generated/schemas.ts is out of date');
  });
});

describe('sluice migrate', () => {
  it('applies new files, skips applied ones, and names the failing file with the database error (exit 1)', async () => {
    project.write(`sql/001_cli_${run}_a.sql`, `create table cli_${run}_a (id int primary key);\n`);
    project.write(`sql/002_cli_${run}_b.sql`, `create table cli_${run}_b (id int references cli_${run}_a (id));\n`);
    const first = await project.sluice(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`applied  001_cli_${run}_a.sql\napplied  002_cli_${run}_b.sql\n2 applied, 0 already applied\n`);
    const again = await project.sluice(['migrate'], env);
    expect(again.stdout).toContain(`skipped  001_cli_${run}_a.sql (already applied)`);
    expect(again.stdout).toContain('0 applied, 2 already applied');
    project.write(`sql/003_cli_${run}_c.sql`, `alter table cli_${run}_missing add column x int;\n`);
    const failed = await project.sluice(['migrate'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`sluice migrate: migration sql/003_cli_${run}_c\\.sql failed and was rolled back: relation "cli_${run}_missing" does not exist \\[42P01\\]`));
  });
});
