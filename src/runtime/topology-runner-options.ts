import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { SchemaResolver } from './codec-set.js';
import type { TaskCounters } from './records.js';
import type { RuntimeLog } from './runtime-log.js';
import type { RuntimeObserver } from './runtime-observer.js';
import type { DeliveryGuarantee, StreamTransport } from './stream-transport.js';
import type { AlignmentOption } from './topology-alignment.js';

/**
 * Wiring and tuning for `TopologyRunner`.
 *
 * @example
 * ```ts
 * const options: TopologyRunnerOptions = { plan, transport, registry, resolveSchema, log, instanceId: 'host-1', alignment: { maxAheadMs: 10_000 } };
 * ```
 */
export interface TopologyRunnerOptions {
  readonly plan: TopologyPlan;
  readonly transport: StreamTransport;
  readonly registry: SchemaRegistry;
  readonly resolveSchema: SchemaResolver;
  readonly log: RuntimeLog;
  /** Distinguishes this process's transactional id from its peers'; stable across restarts fences a crashed predecessor at once. */
  readonly instanceId: string;
  /** Use static group membership keyed by `instanceId` (set when the id is stable across restarts). */
  readonly staticMembership?: boolean;
  readonly guarantee?: DeliveryGuarantee;
  /** Consumer group; default the plan's application id. */
  readonly groupId?: string;
  /** Records per poll, hence per transaction (default 20,000: bigger batches coalesce more table updates; measured by npm run bench). */
  readonly maxBatchRecords?: number;
  readonly pollTimeoutMs?: number;
  readonly punctuateEveryMs?: number;
  readonly now?: () => number;
  /** Metrics; nothing by default. */
  readonly observer?: RuntimeObserver;
  /** How often lag and open windows are reported. */
  readonly gaugeEveryMs?: number;
  /** How often consumed repartition records are deleted (default 30 s). */
  readonly purgeEveryMs?: number;
  /**
   * Event-time alignment of the partitions feeding a repartition topic (see
   * `EventTimeAlignment`): by default a partition may run half the
   * smallest downstream window `grace` ahead of the slowest one; `maxAheadMs`
   * sets the bound instead, `false` turns alignment off.
   */
  readonly alignment?: AlignmentOption;
}

/**
 * What a runner has done so far (for status lines and metrics).
 *
 * @example
 * ```ts
 * runner.stats.late; // late records counted so far
 * ```
 */
export interface RunnerStats extends Omit<TaskCounters, 'stateOverflow'> {
  /** Records refused by window steps' state budgets (`maxOpenWindows`), all steps together. */
  stateOverflow: number;
  outputs: number;
  checkpoints: number;
  aborts: number;
  restoredRecords: number;
  assignedPartitions: number;
}
