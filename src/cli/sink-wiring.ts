import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaResolver } from '../runtime/codec-set.js';
import type { RuntimeLog } from '../runtime/runtime-log.js';
import { SinkRunner } from '../runtime/sink/sink-runner.js';
import { sinkSource } from '../runtime/sink/sink-source.js';
import type { StreamTransport } from '../runtime/stream-transport.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { SinkDriver } from '../sinks/index.js';
import { postgresDriver } from '../sinks/postgres/index.js';
import { databaseConnectionError } from './start-up-checks.js';

/**
 * The sink drivers a run can use, by spec `kind`: each factory makes a fresh
 * driver for one run.
 *
 * @example
 * ```ts
 * const drivers: SinkDriverRegistry = { postgres: () => postgresDriver({ databaseUrl, defaultDatabaseUrl: undefined }) };
 * ```
 */
export type SinkDriverRegistry = Readonly<Record<string, () => SinkDriver>>;

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
  /** The drivers by kind; default {@link defaultSinkDrivers} of these options. */
  readonly drivers?: SinkDriverRegistry;
}

/**
 * The sink runners of a `sluice run`, and the drivers they share.
 *
 * @example
 * ```ts
 * const { runners, drivers, close } = await wireSinks(options);
 * drivers.map((d) => d.kind); // ['postgres']
 * ```
 */
export interface WiredSinks {
  readonly runners: readonly SinkRunner[];
  /** The drivers opened for these sinks, one per kind in use. */
  readonly drivers: readonly SinkDriver[];
  close(): Promise<void>;
}

/**
 * The drivers `sluice run` knows: `postgres`, connecting where the options say.
 *
 * @example
 * ```ts
 * Object.keys(defaultSinkDrivers(options)); // ['postgres']
 * ```
 */
export function defaultSinkDrivers(options: SinkWiringOptions): SinkDriverRegistry {
  return {
    postgres: () =>
      postgresDriver({
        databaseUrl: options.databaseUrl,
        defaultDatabaseUrl: options.defaultDatabaseUrl,
        connectionError: databaseConnectionError,
        ...(options.databaseUrlName === undefined ? {} : { databaseUrlName: options.databaseUrlName }),
      }),
  };
}

/**
 * Looks each sink's driver up by its spec's `kind` (an unknown kind fails
 * naming the sinks and the kinds known), opens each driver in use once (for
 * PostgreSQL: says which database, checks a server accepts a connection,
 * creates or upgrades Sluice's own tables, applies `sql/` unless disabled),
 * and builds one {@link SinkRunner} per sink. Every sink's destination is
 * checked here, before any topology starts: a mismatch or a refused
 * identifier stops `sluice run` at start-up with the sink's message.
 *
 * @example
 * ```ts
 * const sinks = await wireSinks({ plans, projectDir, databaseUrl, defaultDatabaseUrl: undefined, migrate: true, transport, registry, resolveSchema, log });
 * // log: "database: embedded PostgreSQL (PGlite) at /app/.sluice/pglite: no DATABASE_URL and postgres://postgres@127.0.0.1:5432/postgres did not answer (ECONNREFUSED)"
 * for (const runner of sinks.runners) await runner.start();
 * // a sink of kind 'kafka': Error: no sink driver for kind "kafka": events-pipeline/raw-events-out; sluice run knows: postgres
 * ```
 */
export async function wireSinks(options: SinkWiringOptions): Promise<WiredSinks> {
  const { plans, log } = options;
  const sinks = plans.flatMap((plan) => plan.sinks.map((sink) => ({ plan, sink })));
  if (sinks.length === 0) return { runners: [], drivers: [], close: async () => {} };
  const registry = options.drivers ?? defaultSinkDrivers(options);
  const known = Object.keys(registry).sort();
  const unknown = sinks.filter(({ sink }) => !Object.hasOwn(registry, sink.spec.kind));
  if (unknown.length > 0) {
    const kinds = [...new Set(unknown.map(({ sink }) => JSON.stringify(sink.spec.kind)))].join(', ');
    throw new Error(
      `no sink driver for kind ${kinds}: ${unknown.map(({ plan, sink }) => `${plan.topology}/${sink.name}`).join(', ')}; ` +
        `sluice run knows: ${known.join(', ') || 'none'}`,
    );
  }

  const drivers = new Map<string, SinkDriver>();
  const close = async (): Promise<void> => {
    for (const driver of drivers.values()) await driver.close().catch(() => {});
  };
  try {
    for (const { sink } of sinks) {
      if (drivers.has(sink.spec.kind)) continue;
      const driver = registry[sink.spec.kind]!();
      drivers.set(sink.spec.kind, driver);
      await driver.open({ projectDir: options.projectDir, migrate: options.migrate, log });
    }
    const runners = sinks.map(({ plan, sink }) => {
      const driver = drivers.get(sink.spec.kind)!;
      const source = sinkSource(plan, sink.name, options.resolveSchema, options.applicationId ?? plan.applicationId);
      const destination = driver.createSink({
        topology: plan.topology,
        name: sink.name,
        spec: source.kind === 'dead-letter' ? driver.deadLetterSpec(sink.spec, source.fields) : sink.spec,
        consumerGroup: source.groupId,
        records: source.kind,
        fields: source.fields,
        keySchema: source.keySchema,
        valueSchema: source.valueSchema,
      });
      return new SinkRunner({
        source,
        sink: destination,
        transport: options.transport,
        registry: options.registry,
        log,
        classifyError: (error) => driver.classifyError(error),
        ...(options.instanceId ? { staticMemberId: `${source.groupId}-${options.instanceId}` } : {}),
      });
    });
    for (const runner of runners) await runner.check();
    return { runners, drivers: [...drivers.values()], close };
  } catch (error) {
    await close();
    throw error;
  }
}
