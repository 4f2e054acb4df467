import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { RETIRED_FILE_CHECKSUMS } from './framework-migrations.js';
import { upgradeFrameworkSchema, type FrameworkReport } from './framework-schema.js';
import { withMigrationLock } from './migration-lock.js';
import { MigrationError, parseMigrationFiles, type MigrationFile } from './migration-files.js';

/** What {@link runMigrations} did. */
export interface MigrationReport {
  /** Files applied by this call, in order. */
  readonly applied: readonly string[];
  /** Files found already applied (checksum verified). */
  readonly skipped: readonly string[];
  /**
   * Copies of a file earlier Sluice versions had users keep in `sql/`
   * (`001_sluice_offsets.sql`): never run, since Sluice creates that table
   * itself now; recorded as applied. The user may delete them.
   */
  readonly retired: readonly string[];
  /** Sluice's own tables, brought up to date first. */
  readonly framework: FrameworkReport;
}

/**
 * Brings Sluice's own tables up to date (see `ensureFrameworkSchema`), then
 * applies `dir/NNN_name.sql` files in order, each in its own transaction,
 * tracking them in `sluice_migrations` (name, checksum, applied_at).
 * Idempotent. A session advisory lock makes a second process starting at the
 * same time wait, then find everything applied.
 *
 * A failing file rolls back alone (earlier files stay applied) and throws a
 * {@link MigrationError} naming the file and the database error. An applied
 * file whose content changed throws too: migrations are append-only. An
 * applied file no longer in the folder is fine. Files must not contain their
 * own `BEGIN`/`COMMIT`.
 *
 * @example
 * ```ts
 * const { applied } = await runMigrations(db, 'sql');
 * // applied: ['002_bus_telemetry.sql', '003_events_pipeline.sql'] the first time, [] afterwards
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
 * // { applied: ['001_a.sql'], skipped: [], retired: [], framework: { from: 2, to: 2, applied: [], recreated: [] } }
 * ```
 */
export async function applyMigrations(
  db: Kysely<Database>,
  files: readonly MigrationFile[],
  dir = 'sql',
): Promise<MigrationReport> {
  return withMigrationLock(db, async (conn) => {
    const framework = await upgradeFrameworkSchema(conn);
    const done = new Map(
      (await conn.selectFrom('sluice_migrations').select(['name', 'checksum']).execute()).map((r) => [r.name, r.checksum]),
    );
    const applied: string[] = [];
    const skipped: string[] = [];
    const retired: string[] = [];
    for (const file of files) {
      const stored = done.get(file.name);
      if (stored !== undefined && stored !== file.checksum) {
        throw new MigrationError(
          `migration ${join(dir, file.name)} was changed after it was applied (checksum ${stored.slice(0, 12)}… now ${file.checksum.slice(0, 12)}…); ` +
            `applied migrations are append-only: restore the file and put the change in a new numbered file`,
        );
      }
      if (RETIRED_FILE_CHECKSUMS.has(file.checksum)) {
        if (stored === undefined) await conn.insertInto('sluice_migrations').values({ name: file.name, checksum: file.checksum }).execute();
        retired.push(file.name);
        continue;
      }
      if (stored !== undefined) {
        skipped.push(file.name);
        continue;
      }
      try {
        await conn.transaction().execute(async (tx) => {
          await sql.raw(file.sql).execute(tx);
          await tx.insertInto('sluice_migrations').values({ name: file.name, checksum: file.checksum }).execute();
        });
      } catch (error) {
        throw new MigrationError(`migration ${join(dir, file.name)} failed and was rolled back: ${describeFailure(error)}`, { cause: error });
      }
      applied.push(file.name);
    }
    return { applied, skipped, retired, framework };
  });
}

function describeFailure(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown };
  const message = String(e.message ?? error);
  const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
  // An edited copy of the old sql/001_sluice_offsets.sql (an exact copy is recognised and skipped).
  const ours = e.code === '42P07' ? /relation "(sluice_\w+)" already exists/.exec(message)?.[1] : undefined;
  const hint = ours
    ? `; Sluice creates ${ours} itself now, before the sql/ migrations: remove its creation from this file (or delete the file if that is all it does)`
    : '';
  return `${message}${code}${hint}`;
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
