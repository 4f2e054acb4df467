/**
 * The PostgreSQL sink's driver-bearing surface (imports `kysely`, `pg`, and
 * PGlite lazily): for the CLI and runtime, not for topologies.
 *
 * @example
 * ```ts
 * import { openDatabase, runMigrations, createPostgresSink } from './sinks/postgres/index.js';
 * const { db, description } = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
 * await runMigrations(db, 'sql'); // Sluice's own tables first, then the user's files
 * ```
 * @module
 */
export { createPostgresSink, type PostgresSinkConfig } from './postgres-sink.js';
export { postgresDriver, PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js';
export { deadLetterColumns } from './dead-letter-columns.js';
export type { BindStyle } from './batch-statements.js';
export { SinkTableMismatchError, planTable, type PlannedColumn, type TablePlan } from './table-plan.js';
export { RecordMappingError, toParameter } from './record-row.js';
export { lockOffsets, readOffsets, writeOffsets } from './offsets-store.js';
export { runMigrations, applyMigrations, type MigrationReport } from './run-migrations.js';
export { ensureFrameworkSchema, upgradeFrameworkSchema, describeFrameworkReport, type FrameworkReport } from './framework-schema.js';
export { FRAMEWORK_MIGRATIONS, RETIRED_FILE_CHECKSUMS, type FrameworkMigration } from './framework-migrations.js';
export { withMigrationLock } from './migration-lock.js';
export { parseMigrationFiles, checksumOf, MigrationError, type MigrationFile } from './migration-files.js';
export {
  openDatabase, redactUrl, DEFAULT_DATABASE_URL,
  type DatabaseTarget, type OpenDatabaseOptions, type OpenedDatabase,
} from './open-database.js';
export { PGlitePool } from './pglite-pool.js';
export { pingDatabase } from './ping-database.js';
export { classifyDatabaseError, classifySqlState, type DatabaseFault } from './classify-database-error.js';
export {
  assertIdentifier, InvalidIdentifierError, parseQualifiedName, quoteIdentifier, type QualifiedName,
} from './identifier.js';
export type { Database, SluiceDb, SluiceMigrationsTable, SluiceOffsetsTable, SluiceSchemaVersionTable } from './database.js';
