import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CliProject } from '../../support/cli-project.js';
import { OLD_SLUICE_OFFSETS_FILE } from '../../support/old-sluice-offsets-file.js';

// Issue 18: `sluice migrate` creates Sluice's own tables itself; sql/ holds only the user's migrations.

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const schemas = ['bare', 'old', 'newer'].map((s) => `sluice_t_migrate_${s}_${run}`);
const [bareSchema, oldSchema, newerSchema] = schemas as [string, string, string];
const project = new CliProject(`migrate-${run}`);

/** The stack's database with `schema` alone on the search path: a fresh database for one test. */
function envFor(schema: string): NodeJS.ProcessEnv {
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString() };
}

async function query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}
const tablesIn = async (schema: string) =>
  (await query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = '${schema}' order by 1`)).map((r) => r.t);

beforeAll(async () => {
  for (const schema of schemas) await query(`create schema "${schema}"`);
});
afterAll(async () => {
  project.cleanup();
  for (const schema of schemas) await query(`drop schema if exists "${schema}" cascade`);
});

describe('sluice migrate and Sluice\'s own tables', () => {
  it('without sql/: creates only Sluice\'s own tables and says so (exit 0); again: up to date', async () => {
    project.remove('sql');
    const first = await project.sluice(['migrate'], envFor(bareSchema));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("no sql/ folder: only Sluice's own tables\n");
    expect(first.stderr).toContain("Sluice's own tables: schema v0 → v2 (v1 migration ledger, v2 sink offsets)");
    expect(await tablesIn(bareSchema)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
    const again = await project.sluice(['migrate'], envFor(bareSchema));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("Sluice's own tables: schema v2, up to date");
  });

  it('a --dir that does not exist is an error naming it (exit 1), not a silent success', async () => {
    const result = await project.sluice(['migrate', '--dir', 'db/migrations'], envFor(bareSchema));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sluice migrate: cannot read migrations folder db\/migrations: .*ENOENT.* \(no such folder: create it, or leave out --dir to use sql\/\)/);
  });

  it('a project still holding the old 001_sluice_offsets.sql: the file is skipped with a hint, the rest applies', async () => {
    project.write('sql/001_sluice_offsets.sql', OLD_SLUICE_OFFSETS_FILE);
    project.write('sql/002_orders.sql', 'create table orders (id text primary key);\n');
    const result = await project.sluice(['migrate'], envFor(oldSchema));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'skipped  001_sluice_offsets.sql (no longer needed: Sluice creates sluice_offsets itself now; delete the file)\n' +
        'applied  002_orders.sql\n1 applied, 1 already applied\n',
    );
    expect(await tablesIn(oldSchema)).toEqual(['orders', 'sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
    project.remove('sql');
  });

  it('refuses a database a newer Sluice upgraded, naming both versions (exit 1)', async () => {
    expect((await project.sluice(['migrate'], envFor(newerSchema))).code).toBe(0);
    await query(`insert into "${newerSchema}".sluice_schema_version (version, name) values (3, 'from the future')`);
    const result = await project.sluice(['migrate'], envFor(newerSchema));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sluice migrate: this database was upgraded by a newer Sluice (framework schema v3, this Sluice knows v2): upgrade Sluice');
  });
});
