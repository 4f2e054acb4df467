import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { planNodes } from '../plan/plan-nodes.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { BatchResult, CommitOffset, InputRecord, OutputRecord, TaskCounters } from './records.js';
import { NO_OBSERVER, type RuntimeObserver } from './runtime-observer.js';
import {
  partitionKey,
  type CheckpointWriter,
  type DeliveryGuarantee,
  type PartitionChange,
  type StreamConsumer,
  type TopicPartitionRef,
} from './stream-transport.js';
import { ensurePlanTopics } from './ensure-plan-topics.js';
import type { EventTimeAlignment } from './event-time-alignment.js';
import type { OutputLimits } from './output-limits.js';
import { OutputMetrics } from './output-metrics.js';
import { interleaveByTimestamp } from './interleave-by-timestamp.js';
import { Task } from './task.js';
import { newestTaskProgress } from './task-progress.js';
import { TopologyAlignment } from './topology-alignment.js';
import { errorText, groupByPartition, label, pushAll } from './topology-runner-internals.js';
import type { RunnerStats, TopologyRunnerOptions } from './topology-runner-options.js';

export type { RunnerStats, TopologyRunnerOptions } from './topology-runner-options.js';

interface TaskSlot {
  readonly task: Task;
  /** `<sub-topology>_<partition>`, as Kafka Streams names tasks. */
  readonly id: string;
  /** The first input partition: names the task in metrics. */
  readonly input: TopicPartitionRef;
  /** Partition keys of every input partition of the task (one per input topic). */
  readonly keys: readonly string[];
  readonly alignment: EventTimeAlignment | undefined;
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
  readonly stats: RunnerStats = { processed: 0, deadLettered: 0, late: 0, dropped: 0, stateOverflow: 0, outputs: 0, checkpoints: 0, aborts: 0, restoredRecords: 0, assignedPartitions: 0 };
  readonly #options: TopologyRunnerOptions;
  readonly #subTopologyByTopic = new Map<string, number>();
  /** The task of each assigned input partition, by partition key; a task reading several topics is there once per input. */
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
  /** A rewind failed: the consumer's positions are past uncommitted work, so nothing may be processed until one succeeds. */
  #rewindPending = false;
  /** The consumer reported a fatal error: it is replaced (with the writer bound to it) in the next recovery. */
  #consumerBroken = false;
  #lastPurge = 0;
  #overflowSinceWarning = 0;
  #lastOverflowWarning = Number.NEGATIVE_INFINITY;
  /** Committed next offsets of repartition inputs, purged from their topics every so often. */
  readonly #purgeable = new Map<string, CommitOffset>();
  readonly #observer: RuntimeObserver;
  readonly #outputMetrics: OutputMetrics;
  readonly #repartitionInputs: ReadonlySet<string>;
  readonly #alignment: TopologyAlignment;
  /** The largest record each output topic accepts, read at start-up (see ensurePlanTopics). */
  #outputLimits: OutputLimits | undefined;
  /** Partition counts of the plan's topics, known once `start` has ensured them. */
  #partitionCounts: ReadonlyMap<string, number> = new Map();
  /** Per input partition, the offset after the last record polled (to tell when it is read to its end). */
  readonly #polledNext = new Map<string, bigint>();

  constructor(options: TopologyRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#observer = options.observer ?? NO_OBSERVER;
    this.#repartitionInputs = new Set(options.plan.topics.filter((t) => t.role === 'repartition').map((t) => t.name));
    this.#outputMetrics = new OutputMetrics(options.plan, this.#observer);
    for (const sub of options.plan.subTopologies) for (const topic of sub.inputTopics) this.#subTopologyByTopic.set(topic, sub.id);
    this.#alignment = new TopologyAlignment(options.plan, options.alignment);
  }

  get groupId(): string {
    return this.#options.groupId ?? this.#options.plan.applicationId;
  }

  /** Creates internal topics, joins the group and opens the checkpoint writer. */
  async start(): Promise<void> {
    const { transport, plan, log } = this.#options;
    this.#outputLimits = await ensurePlanTopics(plan, transport);
    this.#partitionCounts = await transport.partitionCounts(plan.topics.map((t) => t.name));
    await this.#connectConsumer();
    this.#writer = await this.#connectWriter();
    log('info', `topology ${plan.topology} joined group ${this.groupId}`, { inputs: [...this.#subTopologyByTopic.keys()], guarantee: this.#guarantee() });
    // The overflow series of every budgeted window step exists from the start, so rate() and alerts work before anything overflows.
    for (const step of budgetedWindowSteps(plan)) this.#observer.stateOverflow(plan.topology, step, 0);
  }

  async #connectConsumer(): Promise<void> {
    const inputs = [...this.#subTopologyByTopic.keys()];
    const membership = {
      ...(this.#options.staticMembership ? { staticMemberId: `${this.groupId}-${this.#options.instanceId}` } : {}),
      ...(this.#options.plan.subTopologies.some((s) => s.inputTopics.length > 1) ? { coPartitioned: true } : {}),
    };
    this.#consumer = await this.#options.transport.connectConsumer(
      this.groupId,
      inputs,
      (change) => {
        if (this.#closing) change.done();
        else this.#changes.push(change);
      },
      membership,
    );
  }

  /** Polls and checkpoints until `signal` aborts, then finishes the batch in hand, commits and leaves the group. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        try {
          // Undefined only while a broken consumer is being replaced: the recovery below retries that.
          const consumer = this.#required(this.#consumer);
          // Changes are applied only here, between checkpoints: a revocation that arrives during a poll
          // is released after the records already polled for it are committed.
          await this.#applyChanges();
          const records = await consumer.poll(this.#options.maxBatchRecords ?? 20_000, this.#options.pollTimeoutMs ?? 100).catch((error: unknown) => {
            // A fatal consumer (librdkafka fences a static member that rejoined during a broker restart) never polls again.
            if (this.#options.transport.classify(error) === 'fatal') this.#consumerBroken = true;
            throw error;
          });
          // Polled all the same (rebalances are served in polls), but dropped: they follow uncommitted work.
          if (this.#rewindPending) throw new Error('the consumer is not rewound to the committed offsets yet');
          await this.#checkpoint(records);
          // Only real progress proves the fault is gone; an empty poll after a rewind proves nothing.
          if (records.length > 0) this.#failures = 0;
        } catch (error) {
          if (this.#options.transport.classify(error) === 'permanent') {
            // Every retry would fail the same way: abort, and stop with the error (it names the topic and the fix).
            if (this.#inTransaction) await this.#writer?.abort().catch(() => {});
            this.#inTransaction = false;
            this.#options.log('error', `topology ${this.#options.plan.topology}: a checkpoint failed in a way retrying cannot fix; stopping`, { error: errorText(error) });
            throw error;
          }
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
    const ends = this.#consumer?.ends?.();
    if (records.length === 0 && !punctuate && !this.#alignment.ready(ends)) return;
    const writer = this.#required(this.#writer);
    const outputs: OutputRecord[] = [];
    // Keyed by partition: an aligned partition may be processed in several chunks, each with its commit.
    const commits = new Map<string, CommitOffset>();
    const topology = this.#options.plan.topology;
    // A poll that brought an assignment may also bring the first records of some of its partitions.
    // Every partition assigned is tracked before any is processed: event-time alignment holds back
    // only partitions ahead of ones it knows, so the first to arrive would otherwise run unchecked
    // (changes themselves are applied after the commit, revocations must wait for it).
    let created = false;
    for (const change of this.#changes) {
      if (change.kind !== 'assigned') continue;
      for (const p of change.partitions) {
        if (!this.#tasks.has(partitionKey(p.topic, p.partition))) {
          await this.#createTask(p);
          created = true;
        }
      }
    }
    if (created) this.#alignment.restartQuietClocks();
    await writer.begin();
    this.#inTransaction = true;
    // Outputs go to the writer as each partition's work is done, not all at the end: a writer on
    // another thread produces one partition's records while the next partition is processed.
    let produced = 0;
    const produceNew = async (): Promise<void> => {
      if (outputs.length === produced) return;
      const fresh = outputs.slice(produced);
      produced = outputs.length;
      await writer.produce(fresh);
    };
    // A task reading several topics gets their polled records as one batch, oldest record first
    // across its inputs (see interleaveByTimestamp), once all of its partitions' batches are in hand.
    const merged = new Map<TaskSlot, InputRecord[][]>();
    for (const [key, batch] of groupByPartition(records)) {
      this.#polledNext.set(key, batch[batch.length - 1]!.offset + 1n);
      const slot = this.#tasks.get(key) ?? (await this.#createTask(batch[0]!));
      if (slot.alignment?.follows(key)) slot.alignment.offer(key, batch);
      else if (slot.keys.length > 1) merged.set(slot, [...(merged.get(slot) ?? []), batch]);
      else await this.#process(slot, batch, now, outputs, commits);
      await produceNew();
      // Between partitions, let I/O that completed meanwhile run: a sink sharing this event loop
      // otherwise waits a whole checkpoint for each of its database round trips.
      await yieldToEventLoop();
    }
    for (const [slot, batches] of merged) {
      await this.#process(slot, interleaveByTimestamp(batches), now, outputs, commits);
      await produceNew();
    }
    await this.#alignment.drain(ends, this.#required(this.#consumer), async (chunk) => {
      const result = await this.#process(this.#tasks.get(chunk.key) ?? (await this.#createTask(chunk.partition)), chunk.records, now, outputs, commits);
      await produceNew();
      return result;
    });
    // Once per checkpoint, not per chunk: markers tell the tasks downstream how far each task has come.
    for (const slot of this.#slots()) {
      const markers = slot.task.markers(now, slot.keys.every((key) => this.#readToEnd(key, slot, ends)));
      if (markers.length > 0) pushAll(outputs, markers);
    }
    if (punctuate) {
      this.#lastPunctuate = now;
      for (const slot of this.#slots()) pushAll(outputs, (await slot.task.punctuate(now)).outputs);
    }
    const committing = performance.now();
    await produceNew();
    await writer.commit([...commits.values()]);
    this.#inTransaction = false;
    this.#observer.checkpointCommitted(topology, (performance.now() - committing) / 1000);
    this.stats.outputs += outputs.length;
    this.stats.checkpoints += 1;
    this.#outputMetrics.report(outputs);
    for (const commit of commits.values()) if (this.#repartitionInputs.has(commit.topic)) this.#purgeable.set(partitionKey(commit.topic, commit.partition), commit);
    if (now - this.#lastPurge >= (this.#options.purgeEveryMs ?? PURGE_EVERY_MS)) await this.#purge(now);
    if (now - this.#lastGauges >= (this.#options.gaugeEveryMs ?? 5_000)) this.#reportGauges(now);
  }

  /**
   * Whether the consumer has read `key` to its end and nothing of it waits to be processed — the
   * task is idle, and tasks downstream need not wait for its watermark (see `OriginWatermarks`).
   */
  #readToEnd(key: string, slot: TaskSlot, ends: ReadonlyMap<string, bigint> | undefined): boolean {
    const end = ends?.get(key);
    if (end === undefined || slot.alignment?.holds(key) === true) return false;
    const polledNext = this.#polledNext.get(key);
    return polledNext === undefined || end >= polledNext;
  }

  /** Processes records of one partition into the checkpoint; returns what they produced. */
  async #process(slot: TaskSlot, batch: readonly InputRecord[], now: number, outputs: OutputRecord[], commits: Map<string, CommitOffset>): Promise<BatchResult> {
    const started = performance.now();
    const result = await slot.task.process(batch, now);
    // Records, not watermark markers: `processed` leaves markers out.
    this.#observer.batchProcessed(this.#options.plan.topology, batch[0] ?? slot.input, result.counters.processed, (performance.now() - started) / 1000);
    pushAll(outputs, result.outputs);
    // Chunks of a partition come in offset order: the last commit per partition is the highest.
    for (const commit of result.commits) commits.set(partitionKey(commit.topic, commit.partition), commit);
    this.#count(result.counters);
    return result;
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
    for (const slot of this.#slots()) this.#observer.openWindows(topology, slot.input, slot.task.openWindows());
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
        for (const p of change.partitions) {
          const key = partitionKey(p.topic, p.partition);
          this.#alignment.untrack(key);
          this.#polledNext.delete(key);
          // A task goes with any of its inputs: kept on the others alone, its state would miss records another member now has.
          const slot = this.#tasks.get(key);
          if (slot !== undefined) for (const input of slot.keys) if (this.#tasks.get(input) === slot) this.#tasks.delete(input);
        }
        this.#options.log('info', `partitions revoked`, { partitions: change.partitions.map(label) });
      } else {
        for (const p of change.partitions) if (!this.#tasks.has(partitionKey(p.topic, p.partition))) await this.#createTask(p);
        this.#alignment.restartQuietClocks();
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
    const inputs = sub.inputTopics.map((topic) => ({ topic, partition: input.partition }));
    const keys = inputs.map((p) => partitionKey(p.topic, p.partition));
    // The task may exist already, created for another of its inputs.
    const existing = keys.map((key) => this.#tasks.get(key)).find((slot) => slot !== undefined);
    if (existing !== undefined) {
      this.#tasks.set(partitionKey(input.topic, input.partition), existing);
      this.#alignment.track(sub.id, input);
      return existing;
    }
    const counts = this.#partitionCounts;
    const task = new Task(plan, sub.id, input.partition, {
      registry,
      resolveSchema,
      partitionCount: (topic) => counts.get(topic) ?? counts.get(sub.inputTopics[0]!) ?? 1,
      outputLimits: this.#outputLimits,
    });
    await task.init();
    // The event-time progress committed with the input offsets (see TaskProgress): the newest of the task's inputs'.
    const consumer = this.#required(this.#consumer);
    const committed = consumer.committedMetadata === undefined ? undefined : await consumer.committedMetadata(inputs);
    const progress = newestTaskProgress(keys.map((key) => committed?.get(key)));
    const changelog: InputRecord[] = [];
    for (const topic of sub.changelogTopics) {
      pushAll(changelog, await transport.readPartition(topic, input.partition));
      this.#observer.restoreProgress(plan.topology, input, changelog.length, false);
    }
    const started = this.#now();
    const open = await task.restore(changelog, started, progress);
    this.#observer.restoreProgress(plan.topology, input, changelog.length, true);
    const alignment = this.#alignment.track(sub.id, input);
    this.#observer.openWindows(plan.topology, input, open);
    if (changelog.length > 0) {
      log('info', `restored ${label(input)}`, { records: changelog.length, openWindows: open, ms: this.#now() - started });
    }
    this.stats.restoredRecords += changelog.length;
    const slot: TaskSlot = { task, id: `${sub.id}_${input.partition}`, input, keys, alignment };
    this.#tasks.set(partitionKey(input.topic, input.partition), slot);
    return slot;
  }

  /** Every task once (a task reading several topics is in `#tasks` once per input). */
  #slots(): Set<TaskSlot> {
    return new Set(this.#tasks.values());
  }

  /** Abort, rebuild every task from its changelog and rewind to the committed offsets, with backoff. */
  async #recover(error: unknown, signal: AbortSignal): Promise<void> {
    const { log, transport } = this.#options;
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
    if (this.#consumerBroken) {
      log('warn', 'the consumer failed for good; replacing it and its producer', { error: errorText(error) });
      for (const change of this.#changes.splice(0)) change.done();
      await this.#writer?.close().catch(() => {});
      this.#writer = undefined;
      await this.#consumer?.close().catch(() => {});
      this.#consumer = undefined;
      this.#consumerBroken = false;
    }
    const assigned = this.#consumer?.assignment() ?? [];
    this.#consumer?.pause(assigned);
    await sleep(delay, undefined, { signal }).catch(() => {});
    try {
      // A new consumer starts from the committed offsets and gets its partitions in a rebalance.
      if (this.#consumer === undefined) await this.#connectConsumer();
      const consumer = this.#required(this.#consumer);
      this.#writer ??= await this.#connectWriter();
      this.#tasks.clear();
      // Held records are behind the rewound positions: they are fetched again.
      this.#alignment.clear();
      this.#polledNext.clear();
      const committed = await consumer.committed(assigned);
      for (const p of assigned) await consumer.seek(p, committed.get(partitionKey(p.topic, p.partition)));
      for (const p of assigned) await this.#createTask(p);
      this.#alignment.restartQuietClocks();
      this.#rewindPending = false;
      this.#observer.readiness(this.#options.plan.topology, true);
    } catch (rewindError) {
      // Still down: the next round comes back here with a longer delay, and processes nothing before
      // a rewind succeeds (a checkpoint committing from the current positions would skip the aborted work).
      log('warn', 'could not rewind yet', { error: errorText(rewindError) });
      this.#tasks.clear();
      this.#alignment.clear();
      this.#rewindPending = true;
    } finally {
      this.#consumer?.resume(assigned);
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
    if (counters.stateOverflow !== undefined) this.#countOverflow(counters.stateOverflow);
    this.stats.processed += counters.processed;
    this.stats.deadLettered += counters.deadLettered;
    this.stats.late += counters.late;
    this.stats.dropped += counters.dropped;
  }

  /** State budgets that overflowed: the metric per step, the stats, and a warning at most once a minute. */
  #countOverflow(perStep: Readonly<Record<string, number>>): void {
    const topology = this.#options.plan.topology;
    for (const [step, records] of Object.entries(perStep)) {
      this.#observer.stateOverflow(topology, step, records);
      this.stats.stateOverflow += records;
      this.#overflowSinceWarning += records;
    }
    const now = this.#now();
    if (this.#overflowSinceWarning > 0 && now - this.#lastOverflowWarning >= 60_000) {
      this.#lastOverflowWarning = now;
      this.#options.log('warn', `topology ${topology}: ${this.#overflowSinceWarning} record(s) refused because a window step held its maxOpenWindows open windows; they went to the dead-letter topic as state-full`, {
        steps: Object.keys(perStep),
        stateOverflowTotal: this.stats.stateOverflow,
      });
      this.#overflowSinceWarning = 0;
    }
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error(`topology ${this.#options.plan.topology}: start() must be called before run()`);
    return value;
  }
}

/** Names of the window steps of `plan` that have a state budget (`maxOpenWindows`). */
function budgetedWindowSteps(plan: TopologyPlan): string[] {
  const steps: string[] = [];
  for (const { node } of planNodes(plan)) if (node.kind === 'WindowNode' && node.maxOpenWindows !== undefined) steps.push(node.name);
  return steps;
}
