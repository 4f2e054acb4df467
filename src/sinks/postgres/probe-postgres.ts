import pg from 'pg';

/**
 * Resolves once `select 1` answers on the database, rejects with the reason
 * after at most `timeoutMs`.
 *
 * @example
 * ```ts
 * await probePostgres('postgres://postgres@127.0.0.1:5432/postgres', 5_000);
 * ```
 */
export async function probePostgres(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}
