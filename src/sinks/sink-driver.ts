/**
 * The `SinkDriver` contract: what Sluice needs from a kind of destination to
 * run the sinks of that kind. `sluice run` looks a driver up by the sink
 * spec's `kind`, opens it once for all its sinks, creates one {@link Sink}
 * per plan sink, and lets it classify what the sinks throw. The contract
 * imports no database driver: each driver lives in `sinks/<kind>/`.
 *
 * @module
 */
import type { AvroSchema } from '../serde/avro-schema.js';
import type { Sink } from './sink.js';

/**
 * What every sink spec has: the `kind` that picks its driver (`'postgres'`,
 * `'memory'`), and the kind's own options. The same shape as the planner's
 * `SinkSpec`, so a plan's spec is one.
 *
 * @example
 * ```ts
 * const spec: SinkKindSpec = postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] });
 * spec.kind; // 'postgres'
 * ```
 */
export interface SinkKindSpec {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/**
 * How a sink's runner must handle what a destination threw:
 * - `retry`: an outage (connection lost, server restarting, deadlock): pause, back off, retry the same batch.
 * - `reject`: this data is refused for good: the record goes to the sink's DLQ.
 * - `fatal`: the sink itself is wrong (missing table, permissions): stop and report.
 *
 * @example
 * ```ts
 * postgresDriver(options).classifyError({ code: '57P01' }); // 'retry'
 * ```
 */
export type SinkFault = 'retry' | 'reject' | 'fatal';

/**
 * One sink of a plan, with what the runtime derived about the records it
 * reads: the input of {@link SinkDriver.createSink}.
 *
 * @example
 * ```ts
 * const target: SinkTarget = {
 *   topology: 'bus-telemetry', name: 'route-stats-pg', spec, consumerGroup: 'bus-telemetry.route-stats-pg',
 *   records: 'table', fields: ['route_id', 'window_start', 'events'], keySchema, valueSchema,
 * };
 * ```
 */
export interface SinkTarget {
  readonly topology: string;
  /** The sink's name in the topology (`.sink(name, …)`). */
  readonly name: string;
  /** The spec as the sink should write: for a dead-letter topic, already through {@link SinkDriver.deadLetterSpec}. */
  readonly spec: SinkKindSpec;
  /** The sink's own consumer group: where a sink that stores positions keys them. */
  readonly consumerGroup: string;
  /** What the records are: a `.toTable()` topic's, a `.to()` topic's (text keys), or dead-letter rows. */
  readonly records: 'table' | 'stream' | 'dead-letter';
  /** The value's field paths that become columns (nested records as `a.b`). */
  readonly fields: readonly string[];
  /** Reader schema of the keys; `undefined` where keys are text. */
  readonly keySchema: AvroSchema | undefined;
  readonly valueSchema: AvroSchema;
}

/**
 * Where a driver reports what it does (the runtime's log, structurally).
 *
 * @example
 * ```ts
 * const log: SinkDriverLog = (level, message) => console.error(level, message); // info database: PostgreSQL at postgres://…
 * ```
 */
export type SinkDriverLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Readonly<Record<string, unknown>>) => void;

/**
 * What {@link SinkDriver.open} is given.
 *
 * @example
 * ```ts
 * await driver.open({ projectDir: process.cwd(), migrate: true, log });
 * ```
 */
export interface SinkDriverContext {
  /** The project: where a driver finds its migrations (`sql/`) or local files (`.sluice/`). */
  readonly projectDir: string;
  /** Apply the project's migrations (`--no-migrate` says false); Sluice's own tables are made either way. */
  readonly migrate: boolean;
  readonly log: SinkDriverLog;
}

/**
 * A kind of destination. One instance serves every sink of its kind in one
 * run: `open` once (connect, check, create the framework's own tables), then
 * `createSink` per sink, `close` at the end (after the sinks closed).
 *
 * @example
 * ```ts
 * const driver: SinkDriver = postgresDriver({ databaseUrl: process.env.DATABASE_URL, defaultDatabaseUrl: undefined });
 * await driver.open({ projectDir, migrate: true, log });
 * const sink = driver.createSink(target);        // a Sink writing target.spec's table
 * driver.classifyError({ code: '23505' });       // 'reject'
 * await sink.close();
 * await driver.close();
 * ```
 */
export interface SinkDriver {
  /** The spec `kind` this driver serves. */
  readonly kind: string;
  /** Connects, says where to, checks the destination answers and creates or upgrades the framework's own tables. */
  open(context: SinkDriverContext): Promise<void>;
  /** A sink for one plan sink; throws naming the sink when the spec is not this driver's. */
  createSink(target: SinkTarget): Sink;
  /** Classifies what a sink of this driver threw (`open`, `writeBatch`). */
  classifyError(error: unknown): SinkFault;
  /**
   * The spec a sink on a dead-letter topic writes with, given the dead-letter
   * row's fields (`source_topic`, …, `payload_json`): where the kind maps
   * columns, each field to its own column.
   */
  deadLetterSpec(spec: SinkKindSpec, fields: readonly string[]): SinkKindSpec;
  /** Releases what `open` took. Idempotent. */
  close(): Promise<void>;
}
