import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '../sink.js';
import type { SinkDriver, SinkDriverContext, SinkFault, SinkKindSpec, SinkTarget } from '../sink-driver.js';
import { classifyDatabaseError } from './classify-database-error.js';
import { deadLetterColumns } from './dead-letter-columns.js';
import { describeFrameworkReport, ensureFrameworkSchema } from './framework-schema.js';
import { openDatabase, type OpenedDatabase } from './open-database.js';
import { pingDatabase } from './ping-database.js';
import { createPostgresSink } from './postgres-sink.js';
import type { PostgresSinkSpec } from './postgres-sink-spec.js';
import { runMigrations } from './run-migrations.js';

/**
 * Where {@link postgresDriver} connects.
 *
 * @example
 * ```ts
 * const options: PostgresDriverOptions = { databaseUrl: process.env.DATABASE_URL, defaultDatabaseUrl: undefined, databaseUrlName: 'DATABASE_URL' };
 * ```
 */
export interface PostgresDriverOptions {
  /** `DATABASE_URL` (or the stack's); undefined lets `openDatabase` probe the default server, then fall back to PGlite. */
  readonly databaseUrl: string | undefined;
  /** Where `databaseUrl` came from, for messages; default `DATABASE_URL`. */
  readonly databaseUrlName?: string;
  /** The server probed when no URL is configured (`SLUICE_DEFAULT_DATABASE_URL`); default `openDatabase`'s. */
  readonly defaultDatabaseUrl: string | undefined;
  /**
   * The error for a server that does not accept a connection at start-up,
   * given where the URL came from, the URL (password redacted) and the cause.
   * The CLI's names the fix; the default says what failed.
   */
  readonly connectionError?: (variable: string, redactedUrl: string, cause: unknown) => Error;
}

/**
 * The PostgreSQL {@link SinkDriver} (kind `postgres`): `open` chooses the
 * database (the URL, else the default server if it answers, else an embedded
 * PGlite under `.sluice/pglite`), logs which, checks a server accepts a
 * connection, creates or upgrades Sluice's own tables and applies `sql/`
 * unless `migrate` is false; sinks write rows and positions in one
 * transaction; errors are classified by SQLSTATE.
 *
 * @example
 * ```ts
 * const driver = postgresDriver({ databaseUrl: process.env.DATABASE_URL, defaultDatabaseUrl: undefined });
 * await driver.open({ projectDir, migrate: true, log });
 * // log: "database: PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres", "migrations: 3 applied, 0 already applied"
 * const sink = driver.createSink(target);
 * driver.classifyError({ code: '57P01' }); // 'retry'
 * ```
 */
export function postgresDriver(options: PostgresDriverOptions): PostgresDriver {
  return new PostgresDriver(options);
}

/** See {@link postgresDriver}. `database` is the open database, for callers that need it. */
export class PostgresDriver implements SinkDriver {
  readonly kind = 'postgres';
  readonly #options: PostgresDriverOptions;
  #database: OpenedDatabase | undefined;

  constructor(options: PostgresDriverOptions) {
    this.#options = options;
  }

  /** The database `open` chose; undefined before. */
  get database(): OpenedDatabase | undefined {
    return this.#database;
  }

  async open(context: SinkDriverContext): Promise<void> {
    if (this.#database !== undefined) return;
    const options = this.#options;
    const database = await openDatabase({
      databaseUrl: options.databaseUrl,
      pgliteDir: join(context.projectDir, '.sluice', 'pglite'),
      ...(options.defaultDatabaseUrl ? { defaultDatabaseUrl: options.defaultDatabaseUrl } : {}),
    });
    context.log('info', `database: ${database.description}`, { kind: database.target.kind });
    try {
      if (database.target.kind === 'postgres') {
        const variable = database.target.reason === 'configured' ? (options.databaseUrlName ?? 'DATABASE_URL') : 'SLUICE_DEFAULT_DATABASE_URL';
        const url = database.target.url;
        await pingDatabase(database.db).catch((error: unknown) => {
          throw options.connectionError?.(variable, url, error) ?? new Error(`could not connect to PostgreSQL at ${variable} ${url}`, { cause: error });
        });
      }
      await migrate(database, context);
    } catch (error) {
      await database.close().catch(() => {});
      throw error;
    }
    this.#database = database;
  }

  createSink(target: SinkTarget): Sink {
    const database = this.#database;
    if (database === undefined) throw new Error(`sink ${target.name}: the postgres driver is not open; call open() first`);
    return createPostgresSink({
      name: target.name,
      consumerGroup: target.consumerGroup,
      db: database.db,
      spec: postgresSpec(target.spec, target),
      fields: target.fields,
      schemas: { key: target.keySchema, value: target.valueSchema },
      topology: target.topology,
    });
  }

  classifyError(error: unknown): SinkFault {
    return classifyDatabaseError(error);
  }

  deadLetterSpec(spec: SinkKindSpec, fields: readonly string[]): SinkKindSpec {
    return deadLetterColumns(postgresSpec(spec), fields);
  }

  async close(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    await database?.close();
  }
}

function postgresSpec(spec: SinkKindSpec, target?: SinkTarget): PostgresSinkSpec {
  if (spec.kind !== 'postgres') {
    const where = target === undefined ? '' : `topology "${target.topology}": sink ${target.name}: `;
    throw new Error(`${where}the postgres driver cannot write a ${JSON.stringify(spec.kind)} sink`);
  }
  return spec as PostgresSinkSpec;
}

// Sluice's own tables come first and whatever `--no-migrate` says: the sinks cannot run without them.
async function migrate(database: OpenedDatabase, context: SinkDriverContext): Promise<void> {
  const dir = join(context.projectDir, 'sql');
  if (context.migrate && existsSync(dir)) {
    const report = await runMigrations(database.db, dir);
    context.log('info', describeFrameworkReport(report.framework), { applied: report.framework.applied });
    for (const name of report.retired) {
      context.log('info', `sql/${name} is no longer needed: Sluice creates sluice_offsets itself now; delete it`);
    }
    context.log('info', `migrations: ${report.applied.length} applied, ${report.skipped.length + report.retired.length} already applied`, { applied: report.applied });
    return;
  }
  const framework = await ensureFrameworkSchema(database.db);
  context.log('info', describeFrameworkReport(framework), { applied: framework.applied });
  if (context.migrate) context.log('info', `no sql/ folder: only Sluice's own tables`);
}
