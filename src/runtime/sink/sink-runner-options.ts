import type { SchemaRegistry } from '../../serde/index.js';
import type { Sink, SinkFault } from '../../sinks/index.js';
import type { RuntimeLog } from '../runtime-log.js';
import type { SinkSource } from './sink-source.js';
import type { StreamTransport } from '../stream-transport.js';

export type { SinkFault };

/**
 * Wiring and tuning for {@link SinkRunner}.
 *
 * @example
 * ```ts
 * const options: SinkRunnerOptions = { source, sink, transport, registry, log, classifyError: classifyDatabaseError, staticMemberId: 'bus-telemetry.route-stats-pg-host-a' };
 * ```
 */
export interface SinkRunnerOptions {
  /** What the sink reads (see `sinkSource`). */
  readonly source: SinkSource;
  /** The destination, created for `source.groupId`; the runner closes it. */
  readonly sink: Sink;
  readonly transport: StreamTransport;
  readonly registry: SchemaRegistry;
  readonly log: RuntimeLog;
  /** Classifies what `sink.open`/`writeBatch` throw: `retry` pauses and retries, anything else stops the runner. */
  readonly classifyError: (error: unknown) => SinkFault;
  /** Records per poll, hence per database transaction (default 20,000). */
  readonly maxBatchRecords?: number;
  readonly pollTimeoutMs?: number;
  /** Backoff of retries (forever) while the destination or the registry is down. Default 100 ms doubling up to 5 s. */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /**
   * Static group membership (KIP-345) under this id: a restarted process gets
   * its partitions back at once instead of after the session timeout. Must be
   * unique per process within the sink's group. Default: dynamic membership.
   */
  readonly staticMemberId?: string;
  /** Also commit the stored positions to Kafka after each batch, for lag monitoring only. Default true. */
  readonly commitToKafka?: boolean;
}

/**
 * What a sink runner has done so far.
 *
 * @example
 * ```ts
 * runner.stats; // { batches: 12, written: 340, deleted: 0, skipped: 4, deadLettered: 1, retries: 0, assignedPartitions: 3 }
 * ```
 */
export interface SinkRunnerStats {
  batches: number;
  written: number;
  deleted: number;
  skipped: number;
  deadLettered: number;
  retries: number;
  assignedPartitions: number;
}
