import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/sinks/postgres/database.js';
import { FRAMEWORK_MIGRATIONS, type FrameworkMigration } from '../../../src/sinks/postgres/framework-migrations.js';
import { ensureFrameworkSchema } from '../../../src/sinks/postgres/framework-schema.js';
import { checksumOf, MigrationError, parseMigrationFiles } from '../../../src/sinks/postgres/migration-files.js';
import { applyMigrations, runMigrations } from '../../../src/sinks/postgres/run-migrations.js';
import { seededRandom } from '../../support/bus-workload.js';
import { EXAMPLE_MIGRATIONS, examplesOnlyDir } from '../../support/repo-examples.js';
import { OLD_LEDGER_DDL, OLD_SLUICE_OFFSETS_FILE } from '../../support/old-sluice-offsets-file.js';
import { ignoreConnectionErrorEvents, testDatabaseUrl } from './support/test-database.js';

// Issue 18: Sluice creates and upgrades its own tables (sluice_schema_version, sluice_migrations,
// sluice_offsets) itself, from every state a database may be in. Each test gets a fresh schema.

// The examples' migrations only: a project's own files in sql/ are not the subject here.
const SQL_DIR = examplesOnlyDir('sql');
const EXAMPLE_FILES = [...EXAMPLE_MIGRATIONS];
const BOTH = ['v1 migration ledger', 'v2 sink offsets'];
const CURRENT = { from: 2, to: 2, applied: [], recreated: [] };
const schemas: string[] = [];
const pools: Kysely<Database>[] = [];

/** One more "process" (its own pool) on a schema. */
function connect(schema: string): Kysely<Database> {
  const pool = ignoreConnectionErrorEvents(new pg.Pool({ connectionString: testDatabaseUrl(), max: 3, options: `-c search_path=${schema}` }));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.push(db);
  return db;
}

async function freshSchema(label: string): Promise<{ schema: string; db: Kysely<Database> }> {
  const schema = `sluice_t_fw_${label}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  schemas.push(schema);
  return { schema, db: connect(schema) };
}

afterAll(async () => {
  await Promise.all(pools.map((db) => db.destroy()));
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

const sluiceTables = async (db: Kysely<Database>) =>
  (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = current_schema() and table_name like 'sluice%' order by 1`.execute(db)).rows.map((r) => r.t);
const versions = async (db: Kysely<Database>) =>
  (await db.selectFrom('sluice_schema_version').select(['version', 'name']).orderBy('version').execute());
const ledger = async (db: Kysely<Database>) =>
  (await db.selectFrom('sluice_migrations').select(['name', 'checksum']).orderBy('name').execute());

/** Columns and constraints of a table as the catalog describes them: the oracle for "same table". */
async function shape(db: Kysely<Database>, table: string): Promise<unknown> {
  const columns = await sql`
    select column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  const constraints = await sql`
    select contype, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = to_regclass(${table}) order by 1, 2`.execute(db);
  return { columns: columns.rows, constraints: constraints.rows };
}

/** Random sink positions, seeded, written the way a sink writes them. */
async function someOffsets(db: Kysely<Database>, seed: number): Promise<{ consumer_group: string; topic: string; partition: number; next_offset: string }[]> {
  const random = seededRandom(seed);
  const rows = Array.from({ length: 5 + Math.floor(random() * 20) }, (_, i) => ({
    consumer_group: `app-${Math.floor(random() * 3)}.sink-${i}`,
    topic: `topic.${Math.floor(random() * 4)}`,
    partition: Math.floor(random() * 12),
    next_offset: String(Math.floor(random() * 2 ** 40)),
  }));
  await db.insertInto('sluice_offsets').values(rows).execute();
  return rows.sort((a, b) => a.consumer_group.localeCompare(b.consumer_group));
}
const storedOffsets = async (db: Kysely<Database>) =>
  (await db.selectFrom('sluice_offsets').select(['consumer_group', 'topic', 'partition', 'next_offset']).orderBy('consumer_group').execute());

/** What Sluice did before it versioned its tables: the ad hoc ledger, then each file run and recorded. */
async function migrateTheOldWay(db: Kysely<Database>, files: readonly { name: string; sql: string }[]): Promise<void> {
  await sql.raw(OLD_LEDGER_DDL).execute(db);
  for (const file of files) {
    await db.transaction().execute(async (tx) => {
      await sql.raw(file.sql).execute(tx);
      await tx.insertInto('sluice_migrations').values({ name: file.name, checksum: checksumOf(file.sql) }).execute();
    });
  }
}
const exampleFiles = () => EXAMPLE_FILES.map((name) => ({ name, sql: readFileSync(join(SQL_DIR, name), 'utf8') }));

describe('Sluice\'s own tables', () => {
  it('(a) an empty database gets them, the same sluice_offsets the old file made; the next start finds them current', async () => {
    const { db } = await freshSchema('empty');
    expect(await ensureFrameworkSchema(db)).toEqual({ from: 0, to: 2, applied: BOTH, recreated: [] });
    expect(await sluiceTables(db)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
    expect(await versions(db)).toEqual([{ version: 1, name: 'migration ledger' }, { version: 2, name: 'sink offsets' }]);
    expect(await ensureFrameworkSchema(db)).toEqual(CURRENT);

    const { db: old } = await freshSchema('oldfile');
    await sql.raw(OLD_SLUICE_OFFSETS_FILE).execute(old);
    await sql.raw(OLD_LEDGER_DDL).execute(old);
    expect(await shape(db, 'sluice_offsets')).toEqual(await shape(old, 'sluice_offsets'));
    expect(await shape(db, 'sluice_migrations')).toEqual(await shape(old, 'sluice_migrations'));
    // The user's migrations come after, in the same ledger, none of them Sluice's.
    expect(await runMigrations(db, SQL_DIR)).toEqual({ applied: EXAMPLE_FILES, skipped: [], retired: [], framework: CURRENT });
    expect((await ledger(db)).map((r) => r.name)).toEqual(EXAMPLE_FILES);
  });

  it('(b) a database migrated by the previous Sluice (001_sluice_offsets.sql in the ledger) is adopted: positions kept, the missing file no matter', async () => {
    const { db } = await freshSchema('previous');
    await migrateTheOldWay(db, [{ name: '001_sluice_offsets.sql', sql: OLD_SLUICE_OFFSETS_FILE }, ...exampleFiles()]);
    const offsets = await someOffsets(db, 18);
    const before = await ledger(db);

    // sql/ no longer holds 001: the examples are skipped by checksum, the ledger row of 001 stays as it is.
    expect(await runMigrations(db, SQL_DIR)).toEqual({
      applied: [], skipped: EXAMPLE_FILES, retired: [], framework: { from: 0, to: 2, applied: BOTH, recreated: [] },
    });
    expect(await ledger(db)).toEqual(before);
    expect(await storedOffsets(db)).toEqual(offsets);
    expect(await runMigrations(db, SQL_DIR)).toMatchObject({ applied: [], skipped: EXAMPLE_FILES, framework: CURRENT });
  });

  it('(b) a project that still has the old file: it is recognised and never run again, whether its database had it or not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-fw-'));
    try {
      await writeFile(join(dir, '001_sluice_offsets.sql'), OLD_SLUICE_OFFSETS_FILE.replace(/\n/g, '\r\n')); // a Windows checkout
      await writeFile(join(dir, '002_t.sql'), 'create table t (id int);');
      // A database of the previous Sluice.
      const { db: old } = await freshSchema('keptold');
      await migrateTheOldWay(old, [{ name: '001_sluice_offsets.sql', sql: OLD_SLUICE_OFFSETS_FILE }]);
      expect(await runMigrations(old, dir)).toEqual({
        applied: ['002_t.sql'], skipped: [], retired: ['001_sluice_offsets.sql'], framework: { from: 0, to: 2, applied: BOTH, recreated: [] },
      });
      // A new database (a colleague's, CI's): running the file would fail on the table Sluice made.
      const { db: fresh } = await freshSchema('keptnew');
      expect(await runMigrations(fresh, dir)).toEqual({
        applied: ['002_t.sql'], skipped: [], retired: ['001_sluice_offsets.sql'], framework: { from: 0, to: 2, applied: BOTH, recreated: [] },
      });
      expect((await ledger(fresh)).map((r) => r.name)).toEqual(['001_sluice_offsets.sql', '002_t.sql']);
      expect(await runMigrations(fresh, dir)).toMatchObject({ applied: [], skipped: ['002_t.sql'], retired: ['001_sluice_offsets.sql'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('(c) a sluice_offsets the user created from the old file under another name, or by hand without any ledger, is adopted', async () => {
    const { db } = await freshSchema('renamed');
    await migrateTheOldWay(db, [{ name: '100_sink_offsets.sql', sql: OLD_SLUICE_OFFSETS_FILE }]);
    const offsets = await someOffsets(db, 1800);
    expect(await applyMigrations(db, [])).toEqual({ applied: [], skipped: [], retired: [], framework: { from: 0, to: 2, applied: BOTH, recreated: [] } });
    expect(await storedOffsets(db)).toEqual(offsets);
    expect(await ledger(db)).toEqual([{ name: '100_sink_offsets.sql', checksum: checksumOf(OLD_SLUICE_OFFSETS_FILE) }]);

    const { db: bare } = await freshSchema('bare');
    await sql.raw(OLD_SLUICE_OFFSETS_FILE).execute(bare);
    const bareOffsets = await someOffsets(bare, 18_000);
    expect(await ensureFrameworkSchema(bare)).toEqual({ from: 0, to: 2, applied: BOTH, recreated: [] });
    expect(await storedOffsets(bare)).toEqual(bareOffsets);
    expect(await sluiceTables(bare)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
  });

  it('an edited copy of the old file on a new database fails with the fix named', async () => {
    const { db } = await freshSchema('edited');
    const edited = parseMigrationFiles([{ name: '001_offsets.sql', sql: OLD_SLUICE_OFFSETS_FILE.replace(/^--.*\n/gm, '') }]);
    const error = await applyMigrations(db, edited).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toBe(
      'migration sql/001_offsets.sql failed and was rolled back: relation "sluice_offsets" already exists [42P07]; ' +
        'Sluice creates sluice_offsets itself now, before the sql/ migrations: remove its creation from this file (or delete the file if that is all it does)',
    );
  });

  it('refuses a sluice_offsets that is not the one Sluice keeps, naming what differs, and records nothing', async () => {
    const { db } = await freshSchema('alien');
    await sql`create table sluice_offsets (consumer_group text, topic text, partition bigint, next_offset text)`.execute(db);
    const error = await ensureFrameworkSchema(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toBe(
      'table sluice_offsets exists but is not the one Sluice keeps: column partition is bigint, expected integer; column next_offset is text, expected bigint; ' +
        'column updated_at (timestamp with time zone) is missing; no primary key or unique index on (consumer_group, topic, partition). ' +
        'Sluice creates and upgrades sluice_offsets itself: rename the existing table (alter table sluice_offsets rename to sluice_offsets_old) and start again',
    );
    // One transaction: not even the ledger or the version table stayed.
    expect(await sluiceTables(db)).toEqual(['sluice_offsets']);
    await sql`alter table sluice_offsets rename to sluice_offsets_old`.execute(db);
    expect(await ensureFrameworkSchema(db)).toEqual({ from: 0, to: 2, applied: BOTH, recreated: [] });
  });

  it('processes starting at once on an empty database: all succeed, exactly one creates the tables, each user file runs once', async () => {
    const random = seededRandom(4242);
    for (let round = 0; round < 4; round++) {
      const { schema } = await freshSchema(`race${round}`);
      const files = parseMigrationFiles([{ name: '001_t.sql', sql: 'create table t (id int primary key); insert into t values (1);' }]);
      const starters = Array.from({ length: 2 + Math.floor(random() * 4) }, () => connect(schema));
      const reports = await Promise.all(
        starters.map((db, i) => (i === 0 || random() < 0.5 ? applyMigrations(db, files).then((r) => r.framework) : ensureFrameworkSchema(db))),
      );
      expect(reports.filter((r) => r.applied.length > 0), `round ${round}`).toEqual([{ from: 0, to: 2, applied: BOTH, recreated: [] }]);
      expect(reports.filter((r) => r.applied.length === 0).every((r) => r.from === 2)).toBe(true);
      const db = starters[0]!;
      expect(await versions(db)).toEqual([{ version: 1, name: 'migration ledger' }, { version: 2, name: 'sink offsets' }]);
      expect((await sql<{ n: number }>`select count(*)::int as n from t`.execute(db)).rows).toEqual([{ n: 1 }]);
    }
  });

  it('a later Sluice adds a column as framework migration v3; this Sluice then refuses that database, naming both versions', async () => {
    const { db } = await freshSchema('newer');
    expect(await ensureFrameworkSchema(db, FRAMEWORK_MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 1, applied: ['v1 migration ledger'], recreated: [] });
    expect(await sluiceTables(db)).toEqual(['sluice_migrations', 'sluice_schema_version']);
    expect(await ensureFrameworkSchema(db)).toEqual({ from: 1, to: 2, applied: ['v2 sink offsets'], recreated: [] });

    const v3: FrameworkMigration = {
      version: 3,
      name: 'sink offsets lease',
      tables: ['sluice_offsets'],
      apply: async (tx) => {
        await sql`alter table sluice_offsets add column if not exists lease text`.execute(tx);
      },
    };
    const later = [...FRAMEWORK_MIGRATIONS, v3];
    expect(await ensureFrameworkSchema(db, later)).toEqual({ from: 2, to: 3, applied: ['v3 sink offsets lease'], recreated: [] });
    const columns = await sql<{ c: string }>`
      select column_name as c from information_schema.columns where table_schema = current_schema() and table_name = 'sluice_offsets' order by ordinal_position`.execute(db);
    expect(columns.rows.map((r) => r.c)).toEqual(['consumer_group', 'topic', 'partition', 'next_offset', 'updated_at', 'lease']);

    const refusal = 'this database was upgraded by a newer Sluice (framework schema v3, this Sluice knows v2): upgrade Sluice';
    await expect(ensureFrameworkSchema(db)).rejects.toThrow(new MigrationError(refusal));
    await expect(runMigrations(db, SQL_DIR)).rejects.toThrow(refusal);
    expect(await ledger(db)).toEqual([]); // the user's files did not run either
    expect(await ensureFrameworkSchema(db, later)).toEqual({ from: 3, to: 3, applied: [], recreated: [] });
  });

  it('recreates a table of its own dropped by hand, and says so', async () => {
    const { db } = await freshSchema('dropped');
    await ensureFrameworkSchema(db);
    await sql`drop table sluice_offsets`.execute(db);
    expect(await ensureFrameworkSchema(db)).toEqual({ from: 2, to: 2, applied: [], recreated: ['sluice_offsets'] });
    expect(await sluiceTables(db)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
    expect(await versions(db)).toHaveLength(2);
    // Dropped at v1, found by a Sluice that also has v2 to apply.
    const { db: v1 } = await freshSchema('droppedv1');
    await ensureFrameworkSchema(v1, FRAMEWORK_MIGRATIONS.slice(0, 1));
    await sql`drop table sluice_migrations`.execute(v1);
    expect(await ensureFrameworkSchema(v1)).toEqual({ from: 1, to: 2, applied: ['v2 sink offsets'], recreated: ['sluice_migrations'] });
    expect(await sluiceTables(v1)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
  });

  it('refuses a list of framework migrations with a gap (a Sluice bug, caught before touching the database)', async () => {
    const { db } = await freshSchema('gap');
    const gap = [FRAMEWORK_MIGRATIONS[0]!, { ...FRAMEWORK_MIGRATIONS[1]!, version: 3 }];
    await expect(ensureFrameworkSchema(db, gap)).rejects.toThrow('framework migration "sink offsets" has version 3, expected 2: versions run 1, 2, 3… in order');
    expect(await sluiceTables(db)).toEqual([]);
  });
});
