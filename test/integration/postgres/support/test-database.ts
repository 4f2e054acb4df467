import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../../../src/sinks/postgres/database.js';
import { PGlitePool } from '../../../../src/sinks/postgres/pglite-pool.js';
import { runMigrations } from '../../../../src/sinks/postgres/run-migrations.js';
import { examplesOnlyDir } from '../../../support/repo-examples.js';

/** A database for one test file, isolated from the others. */
export interface TestDatabase {
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /** Where unqualified names (and `sluice_offsets`) live. */
  readonly schema: string;
  close(): Promise<void>;
}

/**
 * The server from the lead's globalSetup (`inject('stack').databaseUrl`),
 * else the local test database.
 */
export function testDatabaseUrl(): string {
  // Optional chaining: a run without the globalSetup (one file by hand) has no 'stack'.
  return inject('stack')?.databaseUrl ?? process.env.SLUICE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A fresh schema on the real server, on the search_path of every pooled connection, migrated. */
export async function openServerDatabase(label: string): Promise<TestDatabase> {
  const schema = `sluice_t_${label}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const url = testDatabaseUrl();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  ignoreConnectionErrorEvents(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await runMigrations(db, examplesOnlyDir('sql'));
  return {
    db,
    kind: 'postgres',
    schema,
    async close() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

/** PGlite on disk in a temp dir, through the same Kysely dialect as production, migrated. */
export async function openPgliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-pglite-'));
  const pglite = await PGlite.create(dir);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  await runMigrations(db, examplesOnlyDir('sql'));
  return {
    db,
    kind: 'pglite',
    schema: 'public',
    async close() {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** As `openDatabase` does: a lost connection surfaces on the next query instead of as an unhandled 'error' event. */
export function ignoreConnectionErrorEvents(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
