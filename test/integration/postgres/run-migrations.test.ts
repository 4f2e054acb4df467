import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../../src/sinks/postgres/database.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../../../src/sinks/postgres/migration-files.js';
import { runMigrations } from '../../../src/sinks/postgres/run-migrations.js';
import { EXAMPLE_MIGRATIONS, examplesOnlyDir } from '../../support/repo-examples.js';
import { openServerDatabase, testDatabaseUrl, type TestDatabase } from './support/test-database.js';

// The example topologies' tables (a copy of sql/ without what a user added there); Sluice's own come from code, before them.
const SQL_DIR = examplesOnlyDir('sql');
const SQL_FILES = [...EXAMPLE_MIGRATIONS];
const UP_TO_DATE = { from: 2, to: 2, applied: [], recreated: [] };

describe('runMigrations', () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    // openServerDatabase has already applied sql/ once.
    t = await openServerDatabase('migrate');
    dir = await mkdtemp(join(tmpdir(), 'sluice-sql-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tables = async () =>
    (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = ${t.schema} order by 1`.execute(t.db)).rows.map((r) => r.t);

  it('applied sql/ and is idempotent', async () => {
    expect(await runMigrations(t.db, SQL_DIR)).toEqual({ applied: [], skipped: SQL_FILES, retired: [], framework: UP_TO_DATE });
    const rows = await t.db.selectFrom('sluice_migrations').select(['name', 'checksum', 'applied_at']).orderBy('name').execute();
    expect(rows).toEqual(SQL_FILES.map((name) => ({ name, checksum: expect.stringMatching(/^[0-9a-f]{64}$/), applied_at: expect.any(Date) })));
    expect(await tables()).toEqual(expect.arrayContaining(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']));
  });

  it('applies files in numeric order, each once, multi-statement files included', async () => {
    await writeFile(join(dir, '010_b.sql'), 'alter table a add column b int;');
    await writeFile(join(dir, '002_a.sql'), 'create table a (id int primary key);\ninsert into a values (1);\n');
    expect(await runMigrations(t.db, dir)).toMatchObject({ applied: ['002_a.sql', '010_b.sql'], skipped: [] });
    expect(await runMigrations(t.db, dir)).toMatchObject({ applied: [], skipped: ['002_a.sql', '010_b.sql'] });
  });

  it('rolls a failing file back and names it with the database error', async () => {
    await writeFile(join(dir, '020_good.sql'), 'create table c (id int);');
    await writeFile(join(dir, '021_bad.sql'), 'create table d (id int);\ninsert into d values (1);\nselect * from no_such_table;');
    const error = await runMigrations(t.db, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/migration .*021_bad\.sql failed and was rolled back: relation "no_such_table" does not exist \[42P01\]/);
    const names = await tables();
    expect(names).toContain('c'); // the earlier file stays applied
    expect(names).not.toContain('d'); // the failing file left nothing behind
    const applied = await t.db.selectFrom('sluice_migrations').select('name').execute();
    expect(applied.map((r) => r.name)).not.toContain('021_bad.sql');
    await rm(join(dir, '021_bad.sql'));
  });

  it('refuses an applied file whose content changed', async () => {
    await writeFile(join(dir, '002_a.sql'), 'create table a (id bigint primary key);');
    await expect(runMigrations(t.db, dir)).rejects.toThrow(/002_a\.sql was changed after it was applied .*add a new numbered file|put the change in a new numbered file/);
    await writeFile(join(dir, '002_a.sql'), 'create table a (id int primary key);\ninsert into a values (1);\n');
  });

  it('lets two processes migrate at once without racing', async () => {
    await writeFile(join(dir, '030_slow.sql'), 'select pg_sleep(0.3); create table e (id int);');
    // A second pool on the same schema stands for a second process.
    const peer = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: testDatabaseUrl(), options: `-c search_path=${t.schema}` }) }),
    });
    try {
      const [a, b] = await Promise.all([runMigrations(t.db, dir), runMigrations(peer, dir)]);
      expect([...a.applied, ...b.applied]).toEqual(['030_slow.sql']);
      expect([...a.skipped, ...b.skipped]).toContain('030_slow.sql');
    } finally {
      await peer.destroy();
    }
  });

  it('is fine with applied files no longer on disk (the old 001_sluice_offsets.sql, a deleted example)', async () => {
    const ledger = async () => (await t.db.selectFrom('sluice_migrations').select('name').orderBy('name').execute()).map((r) => r.name);
    const before = await ledger();
    expect(before).toEqual(expect.arrayContaining(['002_a.sql', '010_b.sql']));
    const only = await mkdtemp(join(tmpdir(), 'sluice-sql-'));
    try {
      await writeFile(join(only, '040_f.sql'), 'create table f (id int);');
      expect(await runMigrations(t.db, only)).toEqual({ applied: ['040_f.sql'], skipped: [], retired: [], framework: UP_TO_DATE });
      expect(await runMigrations(t.db, only)).toMatchObject({ applied: [], skipped: ['040_f.sql'] });
      // Nothing forgotten either: the ledger still holds the files missing from this folder.
      expect(await ledger()).toEqual([...before, '040_f.sql'].sort());
    } finally {
      await rm(only, { recursive: true, force: true });
    }
  });

  it('reports an unreadable folder', async () => {
    await expect(runMigrations(t.db, join(dir, 'missing'))).rejects.toThrow(/cannot read migrations folder/);
  });
});
