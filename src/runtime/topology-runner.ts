import { setTimeout as sleep } from 'node:timers/promises';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { SchemaResolver } from './codec-set.js';
import type { CommitOffset, InputRecord, OutputRecord, TaskCounters } from './records.js';
import type { RuntimeLog } from './runtime-log.js';
import { NO_OBSERVER, type RuntimeObserver } from './runtime-observer.js';
import {
  partitionKey,
  type CheckpointWriter,
  type DeliveryGuarantee,
  type PartitionChange,
  type StreamConsumer,
  type StreamTransport,
  type TopicPartitionRef,
} from './stream-transport.js';
import { ensurePlanTopics } from './ensure-plan-topics.js';
import { OutputMetrics } from './output-metrics.js';
import { Task } from './task.js';
import { errorText, groupByPartition, label, pushAll } from './topology-runner-internals.js';

/** Wiring and tuning for {@link TopologyRunner}. */
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
}

/** What a runner has done so far (for status lines and metrics). */
export interface RunnerStats extends TaskCounters {
  outputs: number;
  checkpoints: number;
  aborts: number;
  restoredRecords: number;
  assignedPartitions: number;
}

interface TaskSlot {
  readonly task: Task;
  readonly input: TopicPartitionRef;
}

const MAX_BACKOFF_MS = 10_000;
const PURGE_EVERY_MS = 30_000;

/**
 * Runs a planned topology on Kafka: one consumer-group member, one task per
 * assigned input partition, one checkpoint (Kafka transaction under
 * exactly-once) per poll holding every task's outputs and input offsets.
 *
 * Failure handling: any error inside a checkpoint aborts it, and every task is
 * rebuilt from its changelog and re-consumed from the committed offsets (task
 * state ran ahead of what committed). Registry or broker outages back off and
 * retry, forever, with the partitions paused; a fenced instance stops.
 *
 * @example
 * ```ts
 * const runner = new TopologyRunner({ plan, transport, registry, resolveSchema, log, instanceId: 'host-1' });
 * await runner.start();
 * await runner.run(abortController.signal); // until SIGTERM
 * ```
 */
export class TopologyRunner {
  readonly stats: RunnerStats = { processed: 0, deadLettered: 0, late: 0, dropped: 0, outputs: 0, checkpoints: 0, aborts: 0, restoredRecords: 0, assignedPartitions: 0 };
  readonly #options: TopologyRunnerOptions;
  readonly #subTopologyByTopic = new Map<string, number>();
  readonly #tasks = new Map<string, TaskSlot>();
  readonly #changes: PartitionChange[] = [];
  readonly #now: () => number;
  #consumer: StreamConsumer | undefined;
  #writer: CheckpointWriter | undefined;
  #lastPunctuate = 0;
  #failures = 0;
  #closing = false;
  #lastGauges = 0;
  #inTransaction = false;
  #lastPurge = 0;
  /** Committed next offsets of repartition inputs, purged from their topics every so often. */
  readonly #purgeable = new Map<string, CommitOffset>();
  readonly #observer: RuntimeObserver;
  readonly #outputMetrics: OutputMetrics;
  readonly #repartitionInputs: ReadonlySet<string>;

  constructor(options: TopologyRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#observer = options.observer ?? NO_OBSERVER;
    this.#repartitionInputs = new Set(options.plan.topics.filter((t) => t.role === 'repartition').map((t) => t.name));
    this.#outputMetrics = new OutputMetrics(options.plan, this.#observer);
    for (const sub of options.plan.subTopologies) this.#subTopologyByTopic.set(sub.inputTopic, sub.id);
  }

  get groupId(): string {
    return this.#options.groupId ?? this.#options.plan.applicationId;
  }

  /** Creates internal topics, joins the group and opens the checkpoint writer. */
  async start(): Promise<void> {
    const { transport, plan, log } = this.#options;
    await ensurePlanTopics(plan, transport);
    const inputs = [...this.#subTopologyByTopic.keys()];
    const membership = this.#options.staticMembership ? { staticMemberId: `${this.groupId}-${this.#options.instanceId}` } : {};
    this.#consumer = await transport.connectConsumer(
      this.groupId,
      inputs,
      (change) => {
        if (this.#closing) change.done();
        else this.#changes.push(change);
      },
      membership,
    );
    this.#writer = await this.#connectWriter();
    log('info', `topology ${plan.topology} joined group ${this.groupId}`, { inputs, guarantee: this.#guarantee() });
  }

  /** Polls and checkpoints until `signal` aborts, then finishes the batch in hand, commits and leaves the group. */
  async run(signal: AbortSignal): Promise<void> {
    const consumer = this.#required(this.#consumer);
    try {
      while (!signal.aborted) {
        try {
          // Changes are applied only here, between checkpoints: a revocation that arrives during a poll
          // is released after the records already polled for it are committed.
          await this.#applyChanges();
          const records = await consumer.poll(this.#options.maxBatchRecords ?? 5_000, this.#options.pollTimeoutMs ?? 100);
          await this.#checkpoint(records);
          // Only real progress proves the fault is gone; an empty poll after a rewind proves nothing.
          if (records.length > 0) this.#failures = 0;
        } catch (error) {
          if (this.#options.transport.classify(error) === 'fenced') {
            this.#options.log('error', `topology ${this.#options.plan.topology}: another instance took over this one's transactional id; stopping`, { error: String(error) });
            throw error;
          }
          await this.#recover(error, signal);
        }
      }
    } finally {
      await this.#shutdown();
    }
  }

  async #checkpoint(records: readonly InputRecord[]): Promise<void> {
    const now = this.#now();
    const punctuate = now - this.#lastPunctuate >= (this.#options.punctuateEveryMs ?? 1_000);
    if (records.length === 0 && !punctuate) return;
    const writer = this.#required(this.#writer);
    const outputs: OutputRecord[] = [];
    const commits: CommitOffset[] = [];
    const topology = this.#options.plan.topology;
    await writer.begin();
    this.#inTransaction = true;
    for (const [key, batch] of groupByPartition(records)) {
      const slot = this.#tasks.get(key) ?? (await this.#createTask(batch[0]!));
      const started = performance.now();
      const result = await slot.task.process(batch, now);
      this.#observer.batchProcessed(topology, slot.input, batch.length, (performance.now() - started) / 1000);
      pushAll(outputs, result.outputs);
      pushAll(commits, result.commits);
      this.#count(result.counters);
    }
    if (punctuate) {
      this.#lastPunctuate = now;
      for (const slot of this.#tasks.values()) pushAll(outputs, (await slot.task.punctuate(now)).outputs);
    }
    const committing = performance.now();
    await writer.produce(outputs);
    await writer.commit(commits);
    this.#inTransaction = false;
    this.#observer.checkpointCommitted(topology, (performance.now() - committing) / 1000);
    this.stats.outputs += outputs.length;
    this.stats.checkpoints += 1;
    this.#outputMetrics.report(outputs);
    for (const commit of commits) if (this.#repartitionInputs.has(commit.topic)) this.#purgeable.set(partitionKey(commit.topic, commit.partition), commit);
    if (now - this.#lastPurge >= (this.#options.purgeEveryMs ?? PURGE_EVERY_MS)) await this.#purge(now);
    if (now - this.#lastGauges >= (this.#options.gaugeEveryMs ?? 5_000)) this.#reportGauges(now);
  }

  async #purge(now: number): Promise<void> {
    this.#lastPurge = now;
    const offsets = [...this.#purgeable.values()];
    this.#purgeable.clear();
    if (offsets.length === 0 || !this.#options.transport.purge) return;
    // Best effort: what is not purged now is purged next time.
    await this.#options.transport.purge(offsets).catch((error: unknown) => this.#options.log('debug', 'purging repartition records failed', { error: errorText(error) }));
  }

  #reportGauges(now: number): void {
    this.#lastGauges = now;
    const topology = this.#options.plan.topology;
    for (const slot of this.#tasks.values()) this.#observer.openWindows(topology, slot.input, slot.task.openWindows());
    for (const lag of this.#consumer?.lag() ?? []) this.#observer.lag(topology, lag, lag.records);
  }

  async #applyChanges(): Promise<void> {
    const topology = this.#options.plan.topology;
    if (this.#changes.length > 0) this.#observer.readiness(topology, false);
    while (this.#changes.length > 0) {
      const change = this.#changes.shift()!;
      this.#observer.rebalanced(topology, change.kind, change.partitions.length);
      if (change.kind === 'revoked') {
        // The checkpoint before this point committed everything for these partitions.
        for (const p of change.partitions) this.#tasks.delete(partitionKey(p.topic, p.partition));
        this.#options.log('info', `partitions revoked`, { partitions: change.partitions.map(label) });
      } else {
        for (const p of change.partitions) if (!this.#tasks.has(partitionKey(p.topic, p.partition))) await this.#createTask(p);
        this.#options.log('info', `partitions assigned`, { partitions: change.partitions.map(label) });
      }
      change.done();
      this.stats.assignedPartitions = this.#tasks.size;
      if (this.#changes.length === 0) this.#observer.readiness(topology, true);
    }
  }

  async #createTask(input: TopicPartitionRef): Promise<TaskSlot> {
    const { plan, registry, resolveSchema, transport, log } = this.#options;
    const subId = this.#subTopologyByTopic.get(input.topic);
    const sub = plan.subTopologies.find((s) => s.id === subId);
    if (sub === undefined) throw new Error(`topology ${plan.topology} has no sub-topology reading ${input.topic}`);
    const task = new Task(plan, sub.id, input.partition, { registry, resolveSchema });
    await task.init();
    const changelog: InputRecord[] = [];
    for (const topic of sub.changelogTopics) {
      pushAll(changelog, await transport.readPartition(topic, input.partition));
      this.#observer.restoreProgress(plan.topology, input, changelog.length, false);
    }
    const started = this.#now();
    const open = await task.restore(changelog, started);
    this.#observer.restoreProgress(plan.topology, input, changelog.length, true);
    this.#observer.openWindows(plan.topology, input, open);
    if (changelog.length > 0) {
      log('info', `restored ${label(input)}`, { records: changelog.length, openWindows: open, ms: this.#now() - started });
    }
    this.stats.restoredRecords += changelog.length;
    const slot = { task, input };
    this.#tasks.set(partitionKey(input.topic, input.partition), slot);
    return slot;
  }

  /** Abort, rebuild every task from its changelog and rewind to the committed offsets, with backoff. */
  async #recover(error: unknown, signal: AbortSignal): Promise<void> {
    const { log, transport } = this.#options;
    const consumer = this.#required(this.#consumer);
    this.#failures += 1;
    this.stats.aborts += 1;
    this.#observer.checkpointAborted(this.#options.plan.topology);
    this.#observer.readiness(this.#options.plan.topology, false);
    const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(this.#failures - 1, 6));
    log(this.#failures > 3 ? 'error' : 'warn', `checkpoint failed; aborting and retrying in ${delay} ms`, { error: errorText(error), attempt: this.#failures });
    try {
      // A failure before begin() (a restore, a schema registration) has no transaction to abort.
      if (this.#inTransaction) await this.#writer?.abort();
      this.#inTransaction = false;
    } catch (abortError) {
      this.#inTransaction = false;
      if (transport.classify(abortError) === 'fenced') throw abortError;
      // A transaction in an unknown state: a new producer with the same id fences and aborts it.
      log('warn', 'abort failed; re-creating the producer', { error: errorText(abortError) });
      await this.#writer?.close().catch(() => {});
      this.#writer = undefined;
    }
    const assigned = consumer.assignment();
    consumer.pause(assigned);
    await sleep(delay, undefined, { signal }).catch(() => {});
    try {
      this.#writer ??= await this.#connectWriter();
      this.#tasks.clear();
      const committed = await consumer.committed(assigned);
      for (const p of assigned) await consumer.seek(p, committed.get(partitionKey(p.topic, p.partition)));
      for (const p of assigned) await this.#createTask(p);
      this.#observer.readiness(this.#options.plan.topology, true);
    } catch (rewindError) {
      // Still down: the next poll comes back here with a longer delay.
      log('warn', 'could not rewind yet', { error: errorText(rewindError) });
      this.#tasks.clear();
    } finally {
      consumer.resume(assigned);
    }
  }

  async #shutdown(): Promise<void> {
    // Leaving the group revokes everything; nothing is in flight any more, so release at once.
    this.#closing = true;
    for (const change of this.#changes.splice(0)) change.done();
    await this.#writer?.close().catch(() => {});
    await this.#consumer?.close().catch(() => {});
    this.#options.log('info', `topology ${this.#options.plan.topology} left group ${this.groupId}`, { ...this.stats });
  }

  #connectWriter(): Promise<CheckpointWriter> {
    const consumer = this.#required(this.#consumer);
    return this.#options.transport.connectWriter({ guarantee: this.#guarantee(), transactionalId: `${this.groupId}-${this.#options.instanceId}`, consumer });
  }

  #guarantee(): DeliveryGuarantee {
    return this.#options.guarantee ?? 'exactly-once';
  }

  #count(counters: Readonly<TaskCounters>): void {
    if (counters.late > 0) this.#observer.late(this.#options.plan.topology, counters.late);
    this.stats.processed += counters.processed;
    this.stats.deadLettered += counters.deadLettered;
    this.stats.late += counters.late;
    this.stats.dropped += counters.dropped;
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error(`topology ${this.#options.plan.topology}: start() must be called before run()`);
    return value;
  }
}
