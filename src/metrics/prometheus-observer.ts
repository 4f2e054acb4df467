import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RuntimeObserver } from '../runtime/runtime-observer.js';
import type { TopicPartitionRef } from '../runtime/stream-transport.js';
import { partitionKey, partitionKeyLabel } from '../partition-key.js';

/** The running totals a sink runner keeps. */
export interface SinkTotals {
  readonly written: number;
  readonly deleted: number;
  readonly batches: number;
  readonly retries: number;
  readonly deadLettered: number;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** How long an input partition may have lag and process nothing before it counts as stalled. */
export const DEFAULT_STALL_AFTER_MS = 20_000;

/** Per input partition: its lag and when it last made progress, for {@link PrometheusObserver.stalled}. */
interface PartitionProgress {
  lag: number;
  lagAt: number;
  /** The last batch processed from it, or when it was first seen. */
  progressAt: number;
}

/**
 * Sluice's metric names on a registry of its own (never prom-client's
 * global one), fed by the runtime through {@link RuntimeObserver}.
 *
 * @example
 * ```ts
 * const metrics = new PrometheusObserver();
 * const runner = new TopologyRunner({ ...options, observer: metrics });
 * const text = await metrics.registry.metrics(); // Prometheus text format
 * ```
 */
export class PrometheusObserver implements RuntimeObserver {
  readonly registry: Registry;
  readonly #recordsIn: Counter<'topology' | 'topic' | 'partition'>;
  readonly #recordsOut: Counter<'topology' | 'topic'>;
  readonly #deadLetters: Counter<'topology' | 'reason'>;
  readonly #late: Counter<'topology'>;
  readonly #stateOverflow: Counter<'topology' | 'step'>;
  readonly #processing: Histogram<'topology'>;
  readonly #endToEnd: Histogram<'topology'>;
  readonly #commit: Histogram<'topology'>;
  readonly #aborts: Counter<'topology'>;
  readonly #rebalances: Counter<'topology' | 'kind'>;
  readonly #restored: Gauge<'topology' | 'topic' | 'partition'>;
  readonly #restoring: Gauge<'topology' | 'topic' | 'partition'>;
  readonly #openWindows: Gauge<'topology' | 'topic' | 'partition'>;
  readonly #lag: Gauge<'topology' | 'topic' | 'partition'>;
  readonly #ready: Gauge<'topology'>;
  readonly #stalled: Gauge<'topology'>;
  readonly #readiness = new Map<string, boolean>();
  /** Keyed by topology, then {@link partitionKey}. */
  readonly #progress = new Map<string, Map<string, PartitionProgress>>();
  readonly #now: () => number;
  readonly #stallAfterMs: number;
  /** Observed once per result record: the labelled child is looked up once per topology, not hashed per call. */
  readonly #endToEndOf = new Map<string, { observe(seconds: number): void }>();

  constructor(registry: Registry = new Registry(), options: { now?: () => number; stallAfterMs?: number } = {}) {
    this.registry = registry;
    this.#now = options.now ?? Date.now;
    this.#stallAfterMs = options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    const registers = [registry];
    const tp = ['topology', 'topic', 'partition'] as const;
    this.#recordsIn = new Counter({ name: 'sluice_records_in_total', help: 'Records consumed, per input partition', labelNames: tp, registers });
    this.#recordsOut = new Counter({ name: 'sluice_records_out_total', help: 'Records produced in committed checkpoints, per topic', labelNames: ['topology', 'topic'], registers });
    this.#deadLetters = new Counter({ name: 'sluice_dead_letter_records_total', help: 'Records sent to a dead-letter topic, by reason', labelNames: ['topology', 'reason'], registers });
    this.#late = new Counter({ name: 'sluice_late_records_total', help: 'Records that arrived after their windows closed', labelNames: ['topology'], registers });
    this.#stateOverflow = new Counter({ name: 'sluice_state_overflow_total', help: 'Records a window step refused (dead-lettered as state-full) because it held maxOpenWindows open windows', labelNames: ['topology', 'step'], registers });
    this.#processing = new Histogram({ name: 'sluice_batch_processing_seconds', help: 'Time a task took on one batch of one partition', labelNames: ['topology'], buckets: LATENCY_BUCKETS, registers });
    this.#endToEnd = new Histogram({ name: 'sluice_end_to_end_latency_seconds', help: 'From a result record’s event time to the commit that published it', labelNames: ['topology'], buckets: LATENCY_BUCKETS, registers });
    this.#commit = new Histogram({ name: 'sluice_checkpoint_commit_seconds', help: 'Producing and committing one checkpoint (a transaction under exactly-once)', labelNames: ['topology'], buckets: LATENCY_BUCKETS, registers });
    this.#aborts = new Counter({ name: 'sluice_checkpoint_aborts_total', help: 'Checkpoints aborted and retried', labelNames: ['topology'], registers });
    this.#rebalances = new Counter({ name: 'sluice_rebalances_total', help: 'Partitions assigned or revoked events', labelNames: ['topology', 'kind'], registers });
    this.#restored = new Gauge({ name: 'sluice_restore_records', help: 'Changelog records read to restore a task', labelNames: tp, registers });
    this.#restoring = new Gauge({ name: 'sluice_restore_in_progress', help: '1 while a task restores its state', labelNames: tp, registers });
    this.#openWindows = new Gauge({ name: 'sluice_open_windows', help: 'Windows open in a task’s store', labelNames: tp, registers });
    this.#lag = new Gauge({ name: 'sluice_consumer_lag_records', help: 'Records behind the end of an input partition', labelNames: tp, registers });
    this.#ready = new Gauge({ name: 'sluice_ready', help: '1 when the topology’s tasks are assigned and restored', labelNames: ['topology'], registers });
    const observer = this;
    this.#stalled = new Gauge({
      name: 'sluice_stalled',
      help: 'Input partitions with lag that processed nothing for the stall time (a crashed writer’s open transaction, a stuck checkpoint)',
      labelNames: ['topology'],
      registers,
      collect() {
        for (const topology of observer.#readiness.keys()) this.set({ topology }, observer.stalled(topology).length);
      },
    });
  }

  /**
   * The input partitions of a topology that have had lag and processed nothing for the stall time
   * (default 20 s), as `topic[partition]`; a partition whose lag is no longer reported (revoked) is left out.
   */
  stalled(topology: string): string[] {
    const now = this.#now();
    const stalled: string[] = [];
    for (const [key, p] of this.#progress.get(topology) ?? []) {
      if (p.lag > 0 && now - p.lagAt <= 2 * this.#stallAfterMs && now - p.progressAt >= this.#stallAfterMs) stalled.push(partitionKeyLabel(key));
    }
    return stalled;
  }

  /** Why the process is not ready, or undefined when it is (the text of a 503 from `/readyz`). */
  notReadyReason(): string | undefined {
    if (this.#readiness.size === 0) return 'no topology has started yet';
    const warming = [...this.#readiness].filter(([, ready]) => !ready).map(([topology]) => topology);
    if (warming.length > 0) return `tasks are being assigned or restored: ${warming.join(', ')}`;
    const stalled = [...this.#readiness.keys()].flatMap((topology) => this.stalled(topology).map((p) => `${topology} ${p}`));
    if (stalled.length > 0) return `stalled (lag > 0, nothing processed for ${this.#stallAfterMs / 1000} s): ${stalled.join(', ')}`;
    return undefined;
  }

  #partitionProgress(topology: string, input: TopicPartitionRef): PartitionProgress {
    let partitions = this.#progress.get(topology);
    if (partitions === undefined) this.#progress.set(topology, (partitions = new Map()));
    const key = partitionKey(input.topic, input.partition);
    let progress = partitions.get(key);
    if (progress === undefined) {
      const now = this.#now();
      partitions.set(key, (progress = { lag: 0, lagAt: now, progressAt: now }));
    }
    return progress;
  }

  /**
   * Exposes sink runners' running totals, read at scrape time (the sink
   * runner keeps counters of its own; copying them per batch would be waste).
   */
  trackSinks(sinks: readonly { topology: string; sink: string; stats: Readonly<SinkTotals> }[]): void {
    const registers = [this.registry];
    const labelNames = ['topology', 'sink'] as const;
    const totals: [string, string, keyof SinkTotals][] = [
      ['sluice_sink_rows_written_total', 'Rows inserted or updated by a sink', 'written'],
      ['sluice_sink_rows_deleted_total', 'Rows deleted by tombstones', 'deleted'],
      ['sluice_sink_batches_total', 'Batches committed to the database, each with its offsets', 'batches'],
      ['sluice_sink_retries_total', 'Batches retried after a database fault', 'retries'],
      ['sluice_sink_dead_letter_records_total', 'Rows the database refused for good, sent to the sink DLQ', 'deadLettered'],
    ];
    for (const [name, help, field] of totals) {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          for (const s of sinks) this.set({ topology: s.topology, sink: s.sink }, s.stats[field]);
        },
      });
    }
  }

  /** True when every topology that reported is ready (and at least one did) and none is stalled. */
  get ready(): boolean {
    return this.notReadyReason() === undefined;
  }

  batchProcessed(topology: string, input: TopicPartitionRef, records: number, seconds: number): void {
    if (records > 0) this.#partitionProgress(topology, input).progressAt = this.#now();
    this.#recordsIn.inc(labels(topology, input), records);
    this.#processing.observe({ topology }, seconds);
  }

  recordsProduced(topology: string, topic: string, records: number): void {
    this.#recordsOut.inc({ topology, topic }, records);
  }

  deadLettered(topology: string, reason: string, records: number): void {
    this.#deadLetters.inc({ topology, reason }, records);
  }

  late(topology: string, records: number): void {
    this.#late.inc({ topology }, records);
  }

  stateOverflow(topology: string, step: string, records: number): void {
    this.#stateOverflow.inc({ topology, step }, records);
  }

  endToEndLatency(topology: string, seconds: number): void {
    let child = this.#endToEndOf.get(topology);
    if (child === undefined) this.#endToEndOf.set(topology, (child = this.#endToEnd.labels({ topology })));
    child.observe(seconds);
  }

  checkpointCommitted(topology: string, seconds: number): void {
    this.#commit.observe({ topology }, seconds);
  }

  checkpointAborted(topology: string): void {
    this.#aborts.inc({ topology });
  }

  rebalanced(topology: string, kind: 'assigned' | 'revoked', partitions: number): void {
    this.#rebalances.inc({ topology, kind });
  }

  restoreProgress(topology: string, input: TopicPartitionRef, records: number, done: boolean): void {
    this.#restored.set(labels(topology, input), records);
    this.#restoring.set(labels(topology, input), done ? 0 : 1);
  }

  openWindows(topology: string, input: TopicPartitionRef, windows: number): void {
    this.#openWindows.set(labels(topology, input), windows);
  }

  lag(topology: string, input: TopicPartitionRef, records: number): void {
    const progress = this.#partitionProgress(topology, input);
    progress.lag = records;
    progress.lagAt = this.#now();
    this.#lag.set(labels(topology, input), records);
  }

  readiness(topology: string, ready: boolean): void {
    // Series that exist from a topology's first moment make rate() and alerts work before anything happens.
    if (!this.#readiness.has(topology)) {
      this.#late.inc({ topology }, 0);
      this.#aborts.inc({ topology }, 0);
    }
    this.#readiness.set(topology, ready);
    this.#ready.set({ topology }, ready ? 1 : 0);
  }
}

function labels(topology: string, input: TopicPartitionRef): { topology: string; topic: string; partition: string } {
  return { topology, topic: input.topic, partition: String(input.partition) };
}
