import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, redactUrl } from '../../../src/sinks/postgres/open-database.js';
import { runMigrations } from '../../../src/sinks/postgres/run-migrations.js';
import { EXAMPLE_MIGRATIONS, examplesOnlyDir } from '../../support/repo-examples.js';
import { testDatabaseUrl } from './support/test-database.js';

// The example topologies' tables (a copy of sql/ without what a user added there); Sluice's own come from code, before them.
const SQL_DIR = examplesOnlyDir('sql');
const SQL_FILES = [...EXAMPLE_MIGRATIONS];

describe('openDatabase', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('uses a configured URL as is', async () => {
    const opened = await openDatabase({ databaseUrl: testDatabaseUrl() });
    try {
      expect(opened.target).toMatchObject({ kind: 'postgres', reason: 'configured' });
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(opened.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await opened.close();
    }
  });

  it('uses the default server when no URL is configured and it answers', async () => {
    const opened = await openDatabase({ defaultDatabaseUrl: testDatabaseUrl() });
    try {
      expect(opened.target).toMatchObject({ kind: 'postgres', reason: 'default-url-answered' });
      expect(opened.description).toMatch(/no DATABASE_URL; the default server answered/);
    } finally {
      await opened.close();
    }
  });

  it('falls back to PGlite on disk when nothing answers, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-open-'));
    dirs.push(dir);
    const pgliteDir = join(dir, '.sluice', 'pglite');
    const opened = await openDatabase({ defaultDatabaseUrl: 'postgres://postgres@127.0.0.1:1/postgres', pgliteDir, probeTimeoutMs: 500 });
    try {
      expect(opened.target).toEqual({ kind: 'pglite', dataDir: pgliteDir, reason: expect.stringMatching(/did not answer \(ECONNREFUSED\)/) });
      expect(opened.description).toMatch(/^embedded PostgreSQL \(PGlite\) at /);
      expect(await runMigrations(opened.db, SQL_DIR)).toEqual({
        applied: SQL_FILES, skipped: [], retired: [],
        framework: { from: 0, to: 2, applied: ['v1 migration ledger', 'v2 sink offsets'], recreated: [] },
      });
      // PGlite gets Sluice's own tables like a server does.
      const { rows } = await sql<{ t: string }>`
        select table_name as t from information_schema.tables where table_schema = current_schema() and table_name like 'sluice%' order by 1`.execute(opened.db);
      expect(rows.map((r) => r.t)).toEqual(['sluice_migrations', 'sluice_offsets', 'sluice_schema_version']);
      expect((await stat(pgliteDir)).isDirectory()).toBe(true);
    } finally {
      await opened.close();
    }
    // On disk: a second start finds the migration applied.
    const again = await openDatabase({ defaultDatabaseUrl: 'postgres://postgres@127.0.0.1:1/postgres', pgliteDir, probeTimeoutMs: 500 });
    try {
      expect(await runMigrations(again.db, SQL_DIR)).toEqual({
        applied: [], skipped: SQL_FILES, retired: [], framework: { from: 2, to: 2, applied: [], recreated: [] },
      });
    } finally {
      await again.close();
    }
  });

  it('redacts passwords in what it prints', () => {
    expect(redactUrl('postgres://sluice:s3cret@db:5432/app')).toBe('postgres://sluice:***@db:5432/app');
  });
});
