import type { ColumnType, Generated, Kysely } from 'kysely';

/**
 * `sluice_offsets`: one row per (sink consumer group, topic, partition),
 * written in the same transaction as the sink's rows. `next_offset` is an
 * `int8`: `pg` reads it as a string, so it is typed as one (bigint accepted
 * on write).
 */
export interface SluiceOffsetsTable {
  consumer_group: string;
  topic: string;
  partition: number;
  next_offset: ColumnType<string, string | bigint, string | bigint>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `sluice_migrations`: one row per applied `sql/NNN_name.sql` file. */
export interface SluiceMigrationsTable {
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/**
 * `sluice_schema_version`: one row per framework migration applied to
 * Sluice's own tables; the highest `version` is the database's framework
 * schema version.
 */
export interface SluiceSchemaVersionTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

/**
 * The tables Sluice itself writes. User tables are reached through `sql`
 * templates with validated identifiers, so they need no entry here.
 *
 * @example
 * ```ts
 * const rows = await db.selectFrom('sluice_offsets')
 *   .select(['topic', 'partition', 'next_offset'])
 *   .where('consumer_group', '=', 'bus-telemetry.route-stats-pg')
 *   .execute();
 * // [{ topic: 'bus.route-stats.1m', partition: 0, next_offset: '1042' }]
 * ```
 */
export interface Database {
  sluice_offsets: SluiceOffsetsTable;
  sluice_migrations: SluiceMigrationsTable;
  sluice_schema_version: SluiceSchemaVersionTable;
}

/** A Kysely instance over the Sluice tables. */
export type SluiceDb = Kysely<Database>;
