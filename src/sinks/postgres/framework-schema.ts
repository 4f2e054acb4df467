import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { FRAMEWORK_MIGRATIONS, type FrameworkMigration } from './framework-migrations.js';
import { withMigrationLock } from './migration-lock.js';
import { MigrationError } from './migration-files.js';

/**
 * What {@link ensureFrameworkSchema} found and did to Sluice's own tables
 * (`sluice_schema_version`, `sluice_migrations`, `sluice_offsets`).
 */
export interface FrameworkReport {
  /** Framework schema version found: 0 for a database Sluice had not versioned (empty, or set up by an earlier Sluice). */
  readonly from: number;
  /** Version now: the latest this Sluice knows. */
  readonly to: number;
  /** Framework migrations run, as `v2 sink offsets`. */
  readonly applied: readonly string[];
  /** Sluice tables missing at the recorded version (dropped by hand), created again. */
  readonly recreated: readonly string[];
}

/**
 * Creates or upgrades Sluice's own tables to the latest framework schema
 * version, recorded in `sluice_schema_version` (one row per framework
 * migration applied). Pending steps run in one transaction under the
 * advisory lock of all Sluice migrations; a database already current costs
 * two reads and no lock. Tables an earlier Sluice left behind (from
 * `sql/001_sluice_offsets.sql`) are adopted. A database at a version newer
 * than this Sluice knows is refused: it may hold columns this Sluice would
 * not write.
 *
 * `migrations` is for tests standing in for another Sluice version.
 *
 * @example
 * ```ts
 * await ensureFrameworkSchema(db);
 * // { from: 0, to: 2, applied: ['v1 migration ledger', 'v2 sink offsets'], recreated: [] } on an empty database
 * // { from: 2, to: 2, applied: [], recreated: [] } afterwards
 * // MigrationError: this database was upgraded by a newer Sluice (framework schema v3, this Sluice knows v2): upgrade Sluice
 * ```
 */
export async function ensureFrameworkSchema(
  db: Kysely<Database>,
  migrations: readonly FrameworkMigration[] = FRAMEWORK_MIGRATIONS,
): Promise<FrameworkReport> {
  const known = latestVersion(migrations);
  const state = await readState(db, migrations);
  if (state.version === known && state.missing.length === 0) return { from: known, to: known, applied: [], recreated: [] };
  refuseNewer(state.version, known);
  return withMigrationLock(db, (conn) => upgradeFrameworkSchema(conn, migrations));
}

/**
 * {@link ensureFrameworkSchema} for a caller already holding the migration
 * lock on `conn` (see `withMigrationLock`): reads the state again, since
 * another process may have upgraded while this one waited for the lock.
 *
 * @example
 * ```ts
 * await withMigrationLock(db, async (conn) => {
 *   await upgradeFrameworkSchema(conn); // { from: 1, to: 2, applied: ['v2 sink offsets'], recreated: [] }
 *   // … the user's migrations, after Sluice's own
 * });
 * ```
 */
export async function upgradeFrameworkSchema(
  conn: Kysely<Database>,
  migrations: readonly FrameworkMigration[] = FRAMEWORK_MIGRATIONS,
): Promise<FrameworkReport> {
  const known = latestVersion(migrations);
  const state = await readState(conn, migrations);
  refuseNewer(state.version, known);
  const pending = migrations.filter((m) => m.version > state.version);
  // Steps are idempotent, so a table dropped by hand is recreated by running the applied ones again.
  const recreated = state.missing;
  const rerun = recreated.length > 0 ? migrations.filter((m) => m.version <= state.version) : [];
  if (pending.length === 0 && rerun.length === 0) return { from: state.version, to: known, applied: [], recreated: [] };
  await conn.transaction().execute(async (tx) => {
    await sql`
      create table if not exists sluice_schema_version (
        version    integer primary key,
        name       text not null,
        applied_at timestamptz not null default now()
      )`.execute(tx);
    for (const migration of [...rerun, ...pending]) await migration.apply(tx);
    if (pending.length > 0) {
      await tx.insertInto('sluice_schema_version').values(pending.map((m) => ({ version: m.version, name: m.name }))).execute();
    }
  });
  return { from: state.version, to: known, applied: pending.map((m) => `v${m.version} ${m.name}`), recreated };
}

/**
 * One line for logs about a {@link FrameworkReport}.
 *
 * @example
 * ```ts
 * describeFrameworkReport({ from: 0, to: 2, applied: ['v1 migration ledger', 'v2 sink offsets'], recreated: [] });
 * // "Sluice's own tables: schema v0 → v2 (v1 migration ledger, v2 sink offsets)"
 * describeFrameworkReport({ from: 2, to: 2, applied: [], recreated: [] });
 * // "Sluice's own tables: schema v2, up to date"
 * ```
 */
export function describeFrameworkReport(report: FrameworkReport): string {
  const parts: string[] = [];
  if (report.applied.length > 0) parts.push(`schema v${report.from} → v${report.to} (${report.applied.join(', ')})`);
  else parts.push(`schema v${report.to}${report.recreated.length > 0 ? '' : ', up to date'}`);
  if (report.recreated.length > 0) {
    const offsets = report.recreated.includes('sluice_offsets') ? ': sinks without stored positions start from the beginning of their topics' : '';
    parts.push(`recreated ${report.recreated.join(', ')}, missing although recorded as created${offsets}`);
  }
  return `Sluice's own tables: ${parts.join('; ')}`;
}

interface FrameworkState {
  /** Highest framework migration recorded, 0 without `sluice_schema_version`. */
  readonly version: number;
  /** Tables the recorded steps created that no longer exist. */
  readonly missing: readonly string[];
}

async function readState(db: Kysely<Database>, migrations: readonly FrameworkMigration[]): Promise<FrameworkState> {
  const tables = ['sluice_schema_version', ...new Set(migrations.flatMap((m) => m.tables))];
  // to_regclass resolves through search_path, as the unqualified names in the migrations and the sinks do.
  const { rows } = await sql<{ name: string; present: boolean }>`
    ${sql.join(tables.map((t) => sql`select ${t}::text as name, to_regclass(${t}) is not null as present`), sql` union all `)}`.execute(db);
  const absent = new Set(rows.filter((r) => !r.present).map((r) => r.name));
  if (absent.has('sluice_schema_version')) return { version: 0, missing: [] };
  const recorded = await sql<{ version: number | null }>`select max(version) as version from sluice_schema_version`.execute(db);
  const version = recorded.rows[0]?.version ?? 0;
  // Only tables the recorded steps made can be missing; later steps have yet to create theirs.
  const made = new Set(migrations.filter((m) => m.version <= version).flatMap((m) => m.tables));
  return { version, missing: [...made].filter((t) => absent.has(t)) };
}

function refuseNewer(version: number, known: number): void {
  if (version > known) {
    throw new MigrationError(
      `this database was upgraded by a newer Sluice (framework schema v${version}, this Sluice knows v${known}): upgrade Sluice`,
    );
  }
}

function latestVersion(migrations: readonly FrameworkMigration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`framework migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions run 1, 2, 3… in order`);
  });
  return migrations.length;
}
