import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { expect, test } from 'vitest';
import { postgres } from '../../../src/sinks/index.js';
import { postgresDriver } from '../../../src/sinks/postgres/index.js';
import { testDatabaseUrl } from '../postgres/support/test-database.js';
import { sinkDriverSuite, type SuiteRow } from '../../support/sink-driver-suite.js';

// The shared sink contract suite on the PostgreSQL driver, on the real server: each case opens the
// driver itself (framework tables made by open()) in a schema of its own, dropped afterwards.

async function freshSchema(): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `sluice_suite_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const base = testDatabaseUrl();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    schema,
    url,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema "${schema}" cascade`);
      await c.end();
    },
  };
}

sinkDriverSuite('postgres', async () => {
  const { url, drop } = await freshSchema();
  const projectDir = await mkdtemp(join(tmpdir(), 'sluice-suite-'));
  const driver = postgresDriver({ databaseUrl: url, defaultDatabaseUrl: undefined });
  await driver.open({ projectDir, migrate: false, log: () => {} });
  const db = driver.database!.db;
  const tables = new Map<string, string>();
  return {
    driver,
    async destination(name, mode) {
      const table = name.replaceAll('-', '_');
      tables.set(name, table);
      // An append table has rows of equal ids: its own serial key, which the records do not fill.
      const key = mode === 'append' ? 'seq bigserial primary key, id text not null' : 'id text primary key';
      await sql.raw(`create table ${table} (${key}, n integer not null, tag text)`).execute(db);
      return postgres({ table, key: ['id'], mode });
    },
    async rows(name) {
      const { rows } = await sql<SuiteRow>`select id, n, tag from ${sql.table(tables.get(name)!)}`.execute(db);
      return rows;
    },
    async close() {
      await driver.close();
      await drop();
      await rm(projectDir, { recursive: true, force: true });
    },
  };
});

test('the postgres driver classifies by SQLSTATE and maps dead-letter rows field by field', () => {
  const driver = postgresDriver({ databaseUrl: undefined, defaultDatabaseUrl: undefined });
  expect(driver.classifyError({ code: '23505' })).toBe('reject');
  expect(driver.classifyError({ code: '57P01' })).toBe('retry');
  expect(driver.deadLetterSpec(postgres({ table: 'dlq', mode: 'insert-ignore' }), ['reason'])['columns']).toEqual([
    { column: 'reason', from: ['value', 'reason'], type: undefined, scale: undefined },
  ]);
  expect(() => driver.createSink({ topology: 't', name: 's', spec: postgres({ table: 'x' }), consumerGroup: 'g', records: 'stream', fields: [], keySchema: undefined, valueSchema: 'string' })).toThrow(
    /sink s: the postgres driver is not open/,
  );
});
