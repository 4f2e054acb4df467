import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../../src/sinks/retry-with-backoff.js';
import { classifyDatabaseError } from '../../../src/sinks/postgres/classify-database-error.js';
import type { Database } from '../../../src/sinks/postgres/database.js';
import { createPostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { postgres } from '../../../src/sinks/postgres/postgres-sink-spec.js';
import { openDatabase, type OpenedDatabase } from '../../../src/sinks/postgres/open-database.js';
import { openServerDatabase, testDatabaseUrl, type TestDatabase } from './support/test-database.js';

describe('database faults on a real server', () => {
  let t: TestDatabase;
  let single: Kysely<Database>;
  let opened: OpenedDatabase | undefined;
  beforeAll(async () => {
    t = await openServerDatabase('faults');
    await sql`create table counts (k text primary key, n int not null check (n >= 0))`.execute(t.db);
    // The production pool (openDatabase), one connection, on this file's schema.
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${t.schema}`);
    url.searchParams.set('application_name', `sluice_fault_test_${process.pid}`);
    opened = await openDatabase({ databaseUrl: url.toString(), maxConnections: 1 });
    single = opened.db;
  });
  afterAll(async () => {
    await opened?.close();
    await t?.close();
  });

  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  it('classifies what the server really throws', async () => {
    expect(classifyDatabaseError(await errorOf(sql`select * from no_such_table`.execute(t.db)))).toBe('fatal');
    expect(classifyDatabaseError(await errorOf(sql`select 2147483647::int + 1`.execute(t.db)))).toBe('reject');
    expect(classifyDatabaseError(await errorOf(sql`insert into counts values ('a', -1)`.execute(t.db)))).toBe('reject');
    const refused = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/x' }) }) });
    expect(classifyDatabaseError(await errorOf(sql`select 1`.execute(refused)))).toBe('retry');
    await refused.destroy();
  });

  it('a connection killed mid-stream is a retry, commits nothing, and the retried batch lands once', async () => {
    let killed = false;
    const kill = () => sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${`sluice_fault_test_${process.pid}`}`.execute(t.db);
    const sink = createPostgresSink({
      name: 'faults', consumerGroup: 'faults', db: single, spec: postgres({ table: 'counts', key: ['k'] }),
      // The server ends the sink's session inside the batch transaction, as on a restart (57P01).
      beforeCommit: async () => {
        if (killed || !armed) return;
        killed = true;
        await kill();
      },
    });
    let armed = false;
    await sink.open([]);
    expect(await sink.writeBatch({ records: [{ topic: 't', partition: 0, offset: 0n, key: 'a', value: { n: 1 } }] })).toMatchObject({ written: 1, rejected: [] });
    armed = true;
    const batch = { records: [{ topic: 't', partition: 0, offset: 1n, key: 'a', value: { n: 2 } }, { topic: 't', partition: 0, offset: 2n, key: 'b', value: { n: 1 } }] };
    const faults: string[] = [];
    const outcome = await retryWithBackoff(() => sink.writeBatch(batch), {
      initialDelayMs: 10,
      shouldRetry: (e) => classifyDatabaseError(e) === 'retry',
      onRetry: (e) => faults.push(classifyDatabaseError(e)),
    });
    expect(faults).toEqual(['retry']);
    expect(outcome).toMatchObject({ written: 2, rejected: [] });
    const { rows } = await sql<{ k: string; n: number }>`select k, n from counts order by k`.execute(t.db);
    expect(rows).toEqual([{ k: 'a', n: 2 }, { k: 'b', n: 1 }]);
    const stored = await sink.open([{ topic: 't', partition: 0 }]);
    expect(stored).toEqual([{ topic: 't', partition: 0, nextOffset: 3n }]);
  });
});
