import { sql, type Kysely } from 'kysely';

/**
 * One round trip (`select 1`): the pool connects lazily, so without it a
 * wrong URL would surface as a bare socket error from the first migration.
 * Rejects with the driver's error.
 *
 * @example
 * ```ts
 * await pingDatabase(database.db); // resolves once the server answered
 * ```
 */
export async function pingDatabase<DB>(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
