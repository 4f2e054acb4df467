import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaResolver } from '../runtime/codec-set.js';
import type { RuntimeLog } from '../runtime/runtime-log.js';
import { SinkRunner } from '../runtime/sink/sink-runner.js';
import { sinkSource } from '../runtime/sink/sink-source.js';
import type { StreamTransport } from '../runtime/stream-transport.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { PostgresSinkSpec } from '../sinks/index.js';
import {
  classifyDatabaseError, createPostgresSink, describeFrameworkReport, ensureFrameworkSchema, openDatabase, pingDatabase, runMigrations, type OpenedDatabase,
} from '../sinks/postgres/index.js';
import { deadLetterColumns } from './dead-letter-columns.js';
import { databaseConnectionError } from './start-up-checks.js';

/**
 * What `sluice run` needs to start the sinks of its topologies.
 *
 * @example
 * ```ts
 * const options: SinkWiringOptions = { plans, projectDir: process.cwd(), databaseUrl: process.env.DATABASE_URL, defaultDatabaseUrl: undefined, migrate: true, transport, registry, resolveSchema, log };
 * ```
 */
export interface SinkWiringOptions {
  readonly plans: readonly TopologyPlan[];
  readonly projectDir: string;
  /** `DATABASE_URL` (or the stack's); undefined lets `openDatabase` probe the default server, then fall back to PGlite. */
  readonly databaseUrl: string | undefined;
  /** Where `databaseUrl` came from, for messages; default `DATABASE_URL`. */
  readonly databaseUrlName?: string;
  /** The server probed when no URL is configured (`SLUICE_DEFAULT_DATABASE_URL`); default `openDatabase`'s. */
  readonly defaultDatabaseUrl: string | undefined;
  readonly migrate: boolean;
  readonly transport: StreamTransport;
  readonly registry: SchemaRegistry;
  readonly resolveSchema: SchemaResolver;
  readonly log: RuntimeLog;
  /** `--instance-id`: the sinks' consumers then use static membership as `<group>-<instanceId>`, like the topologies'. */
  readonly instanceId?: string;
  /** One topology run under `--application-id`: its sinks' groups derive from it. */
  readonly applicationId?: string;
}

/**
 * The sink runners of a `sluice run`, and the database they share.
 *
 * @example
 * ```ts
 * const { runners, database, close } = await wireSinks(options);
 * database?.target.kind; // 'postgres' or 'pglite'
 * ```
 */
export interface WiredSinks {
  readonly runners: readonly SinkRunner[];
  readonly database: OpenedDatabase | undefined;
  close(): Promise<void>;
}

/**
 * Opens the database (only when some topology has a PostgreSQL sink), says
 * which one and checks that a server accepts a connection (else an error
 * naming `DATABASE_URL`, password redacted, and the fix), creates or
 * upgrades Sluice's own tables (always: they are Sluice's business), applies
 * the `sql/` migrations unless disabled, and builds one
 * {@link SinkRunner} per sink. Every sink's table is checked here, before
 * any topology starts: a mismatch or a refused identifier stops `sluice run`
 * at start-up with the sink's message.
 *
 * @example
 * ```ts
 * const sinks = await wireSinks({ plans, projectDir, databaseUrl, defaultDatabaseUrl: undefined, migrate: true, transport, registry, resolveSchema, log });
 * // log: "database: embedded PostgreSQL (PGlite) at /app/.sluice/pglite: no DATABASE_URL and postgres://postgres@127.0.0.1:5432/postgres did not answer (ECONNREFUSED)"
 * for (const runner of sinks.runners) await runner.start();
 * ```
 */
export async function wireSinks(options: SinkWiringOptions): Promise<WiredSinks> {
  const { plans, log } = options;
  const sinks = plans.flatMap((plan) => plan.sinks.map((sink) => ({ plan, sink })));
  if (sinks.length === 0) return { runners: [], database: undefined, close: async () => {} };
  const unknown = sinks.filter(({ sink }) => sink.spec.kind !== 'postgres');
  if (unknown.length > 0) {
    throw new Error(`no runtime for sink kind(s): ${unknown.map(({ plan, sink }) => `${plan.topology}/${sink.name} (${sink.spec.kind})`).join(', ')}; sluice run supports postgres({...})`);
  }

  const database = await openDatabase({
    databaseUrl: options.databaseUrl,
    pgliteDir: join(options.projectDir, '.sluice', 'pglite'),
    ...(options.defaultDatabaseUrl ? { defaultDatabaseUrl: options.defaultDatabaseUrl } : {}),
  });
  log('info', `database: ${database.description}`, { kind: database.target.kind });
  try {
    if (database.target.kind === 'postgres') {
      const variable = database.target.reason === 'configured' ? (options.databaseUrlName ?? 'DATABASE_URL') : 'SLUICE_DEFAULT_DATABASE_URL';
      const url = database.target.url;
      await pingDatabase(database.db).catch((error: unknown) => {
        throw databaseConnectionError(variable, url, error);
      });
    }
    await migrateDatabase(database, options);
    const runners = sinks.map(({ plan, sink }) => {
      const source = sinkSource(plan, sink.name, options.resolveSchema, options.applicationId ?? plan.applicationId);
      const destination = createPostgresSink({
        name: sink.name,
        consumerGroup: source.groupId,
        db: database.db,
        spec: source.kind === 'dead-letter' ? deadLetterColumns(sink.spec as PostgresSinkSpec, source.fields) : (sink.spec as PostgresSinkSpec),
        fields: source.fields,
        schemas: { key: source.keySchema, value: source.valueSchema },
        topology: plan.topology,
      });
      return new SinkRunner({
        source,
        sink: destination,
        transport: options.transport,
        registry: options.registry,
        log,
        classifyError: classifyDatabaseError,
        ...(options.instanceId ? { staticMemberId: `${source.groupId}-${options.instanceId}` } : {}),
      });
    });
    for (const runner of runners) await runner.check();
    return { runners, database, close: () => database.close() };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

// Sluice's own tables come first and whatever `--no-migrate` says: the sinks cannot run without them.
async function migrateDatabase(database: OpenedDatabase, options: SinkWiringOptions): Promise<void> {
  const dir = join(options.projectDir, 'sql');
  if (options.migrate && existsSync(dir)) {
    const report = await runMigrations(database.db, dir);
    options.log('info', describeFrameworkReport(report.framework), { applied: report.framework.applied });
    for (const name of report.retired) {
      options.log('info', `sql/${name} is no longer needed: Sluice creates sluice_offsets itself now; delete it`);
    }
    options.log('info', `migrations: ${report.applied.length} applied, ${report.skipped.length + report.retired.length} already applied`, { applied: report.applied });
    return;
  }
  const framework = await ensureFrameworkSchema(database.db);
  options.log('info', describeFrameworkReport(framework), { applied: framework.applied });
  if (options.migrate) options.log('info', `no sql/ folder: only Sluice's own tables`);
}
