import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

// Arbitrary but fixed, and the key Sluice has always used: processes of an
// older and a newer Sluice migrating the same database still wait for each other.
const ADVISORY_LOCK_KEY = 0x51_1c_e0_01;

/**
 * Runs `work` on one pinned connection holding the session advisory lock
 * every Sluice process takes before changing a database's schema (its own
 * tables or the user's `sql/` files): a second process starting at the same
 * time waits, then finds the work done. `work` must use the connection it is
 * given, never `db` (PGlite has a single connection: that would deadlock).
 *
 * @example
 * ```ts
 * const report = await withMigrationLock(db, (conn) => upgradeFrameworkSchema(conn));
 * ```
 */
export async function withMigrationLock<T>(db: Kysely<Database>, work: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
  // The lock belongs to a session, so everything runs on the connection that took it.
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`.execute(conn);
    }
  });
}
