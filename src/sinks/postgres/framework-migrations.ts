import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { MigrationError } from './migration-files.js';

/**
 * One step of Sluice's own schema (the tables Sluice owns, never the user's),
 * numbered from 1 without gaps. They ship inside the code, not as files a
 * user copies, and run before the user's `sql/` migrations.
 *
 * `apply` runs inside the upgrade's transaction and must be idempotent over
 * any state an earlier Sluice may have left (`create table if not exists`,
 * `add column if not exists`): databases set up before Sluice versioned its
 * tables already hold some of them, and a table found missing at the current
 * version is recreated by running every step again.
 *
 * @example
 * ```ts
 * // What a later Sluice adding a column appends to FRAMEWORK_MIGRATIONS:
 * const v3: FrameworkMigration = {
 *   version: 3,
 *   name: 'sink offsets lease',
 *   tables: ['sluice_offsets'],
 *   apply: async (tx) => { await sql`alter table sluice_offsets add column if not exists lease text`.execute(tx); },
 * };
 * ```
 */
export interface FrameworkMigration {
  readonly version: number;
  /** What it does, for logs: `sink offsets`. */
  readonly name: string;
  /** The tables it creates or changes. */
  readonly tables: readonly string[];
  apply(tx: Kysely<Database>): Promise<void>;
}

/**
 * Sluice's own migrations, in order. Append only: a released step never
 * changes, a change is a new step.
 *
 * @example
 * ```ts
 * FRAMEWORK_MIGRATIONS.map((m) => `v${m.version} ${m.name}`);
 * // ['v1 migration ledger', 'v2 sink offsets']
 * ```
 */
export const FRAMEWORK_MIGRATIONS: readonly FrameworkMigration[] = [
  {
    version: 1,
    name: 'migration ledger',
    tables: ['sluice_migrations'],
    async apply(tx) {
      // One row per applied user file (sql/NNN_name.sql); Sluice created it ad hoc before it versioned its tables.
      await sql`
        create table if not exists sluice_migrations (
          name       text primary key,
          checksum   text not null,
          applied_at timestamptz not null default now()
        )`.execute(tx);
      await expectShape(tx, 'sluice_migrations', { name: 'text', checksum: 'text' }, ['name']);
    },
  },
  {
    version: 2,
    name: 'sink offsets',
    tables: ['sluice_offsets'],
    async apply(tx) {
      // Positions of each PostgreSQL sink, written in the same transaction as its rows: a crash can
      // neither lose nor double a row. Before Sluice versioned its tables, users created this table from
      // sql/001_sluice_offsets.sql (under that name or another): such a table is adopted as it is.
      await sql`
        create table if not exists sluice_offsets (
          consumer_group text        not null,
          topic          text        not null,
          partition      integer     not null check (partition >= 0),
          next_offset    bigint      not null check (next_offset >= 0),
          updated_at     timestamptz not null default now(),
          primary key (consumer_group, topic, partition)
        )`.execute(tx);
      await expectShape(
        tx,
        'sluice_offsets',
        { consumer_group: 'text', topic: 'text', partition: 'integer', next_offset: 'bigint', updated_at: 'timestamp with time zone' },
        ['consumer_group', 'topic', 'partition'],
      );
    },
  },
];

/**
 * Checksums of the files earlier Sluice versions asked users to copy into
 * their `sql/` (`001_sluice_offsets.sql`). A user file with exactly this
 * content is not run, since the framework migrations create that table now
 * (running it would fail on the existing table): it is recorded as applied,
 * like on a database migrated before, and reported so the user deletes it.
 *
 * @example
 * ```ts
 * RETIRED_FILE_CHECKSUMS.has(checksumOf(readFileSync('sql/001_sluice_offsets.sql', 'utf8'))); // true for the old file
 * ```
 */
export const RETIRED_FILE_CHECKSUMS: ReadonlySet<string> = new Set([
  'bec7f997c189fa118cebdffc410946f276af8b09d614b083f47a43858994b7a6', // sql/001_sluice_offsets.sql, Sluice 0.x
]);

// A table adopted from an earlier Sluice (or made by hand) must hold what Sluice reads and writes:
// the columns with their types, and the unique key its upserts name in `on conflict`.
async function expectShape(tx: Kysely<Database>, table: string, columns: Readonly<Record<string, string>>, key: readonly string[]): Promise<void> {
  const found = new Map(
    (
      await sql<{ name: string; type: string }>`
        select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type
        from pg_attribute a
        where a.attrelid = to_regclass(${table}) and a.attnum > 0 and not a.attisdropped`.execute(tx)
    ).rows.map((r) => [r.name, r.type]),
  );
  const problems: string[] = [];
  for (const [column, type] of Object.entries(columns)) {
    const actual = found.get(column);
    if (actual === undefined) problems.push(`column ${column} (${type}) is missing`);
    else if (actual !== type) problems.push(`column ${column} is ${actual}, expected ${type}`);
  }
  const wanted = [...key].sort().join(',');
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_index i
      where i.indrelid = to_regclass(${table}) and i.indisunique and i.indpred is null and i.indexprs is null
        and (select string_agg(a.attname::text, ',' order by a.attname::text)
             from pg_attribute a where a.attrelid = i.indrelid and a.attnum = any(i.indkey)) = ${wanted}
        and i.indnatts = ${key.length}
    ) as found`.execute(tx);
  if (!rows[0]?.found) problems.push(`no primary key or unique index on (${key.join(', ')})`);
  if (problems.length > 0) {
    throw new MigrationError(
      `table ${table} exists but is not the one Sluice keeps: ${problems.join('; ')}. ` +
        `Sluice creates and upgrades ${table} itself: rename the existing table (alter table ${table} rename to ${table}_old) and start again`,
    );
  }
}
