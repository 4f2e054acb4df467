import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { MigrationError, parseMigrationFiles, type MigrationFile } from './migration-files.js';

/** What {@link runMigrations} did. */
export interface MigrationReport {
  /** Files applied by this call, in order. */
  readonly applied: readonly string[];
  /** Files found already applied (checksum verified). */
  readonly skipped: readonly string[];
}

// Arbitrary but fixed: every Sluice process migrating the same database takes this lock.
const ADVISORY_LOCK_KEY = 0x51_1c_e0_01;

/**
 * Applies `dir/NNN_name.sql` files in order, each in its own transaction,
 * tracking them in `sluice_migrations` (name, checksum, applied_at).
 * Idempotent. A session advisory lock makes a second process starting at the
 * same time wait, then find everything applied.
 *
 * A failing file rolls back alone (earlier files stay applied) and throws a
 * {@link MigrationError} naming the file and the database error. An applied
 * file whose content changed throws too: migrations are append-only.
 * Files must not contain their own `BEGIN`/`COMMIT`.
 *
 * @example
 * ```ts
 * const { applied } = await runMigrations(db, 'sql');
 * // applied: ['001_sluice_offsets.sql'] the first time, [] afterwards
 * ```
 */
export async function runMigrations(db: Kysely<Database>, dir = 'sql'): Promise<MigrationReport> {
  return applyMigrations(db, await readMigrationDir(dir), dir);
}

/**
 * {@link runMigrations} over files already in memory (tests, bundled builds).
 *
 * @example
 * ```ts
 * await applyMigrations(db, parseMigrationFiles([{ name: '001_a.sql', sql: 'create table a (id int)' }]));
 * ```
 */
export async function applyMigrations(
  db: Kysely<Database>,
  files: readonly MigrationFile[],
  dir = 'sql',
): Promise<MigrationReport> {
  // The lock is per session, so everything runs on one pinned connection.
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`.execute(conn);
    try {
      await sql`
        create table if not exists sluice_migrations (
          name       text primary key,
          checksum   text not null,
          applied_at timestamptz not null default now()
        )`.execute(conn);
      const done = new Map(
        (await conn.selectFrom('sluice_migrations').select(['name', 'checksum']).execute()).map((r) => [r.name, r.checksum]),
      );
      const applied: string[] = [];
      const skipped: string[] = [];
      for (const file of files) {
        const stored = done.get(file.name);
        if (stored !== undefined) {
          if (stored !== file.checksum) {
            throw new MigrationError(
              `migration ${join(dir, file.name)} was changed after it was applied (checksum ${stored.slice(0, 12)}… now ${file.checksum.slice(0, 12)}…); ` +
                `applied migrations are append-only: restore the file and put the change in a new numbered file`,
            );
          }
          skipped.push(file.name);
          continue;
        }
        try {
          await conn.transaction().execute(async (tx) => {
            await sql.raw(file.sql).execute(tx);
            await tx.insertInto('sluice_migrations').values({ name: file.name, checksum: file.checksum }).execute();
          });
        } catch (error) {
          const e = error as { message?: unknown; code?: unknown };
          const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
          throw new MigrationError(
            `migration ${join(dir, file.name)} failed and was rolled back: ${String(e.message ?? error)}${code}`,
            { cause: error },
          );
        }
        applied.push(file.name);
      }
      return { applied, skipped };
    } finally {
      await sql`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`.execute(conn);
    }
  });
}

async function readMigrationDir(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new MigrationError(`cannot read migrations folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const files = await Promise.all(
    names.filter((n) => n.endsWith('.sql')).map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })),
  );
  return parseMigrationFiles(files);
}
