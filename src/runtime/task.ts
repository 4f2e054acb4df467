import type { RepartitionSourceNode, SourceNode } from '../plan/plan-node.js';
import type { SubTopology, TopologyPlan } from '../plan/topology-plan.js';
import type { AvroCodec, SchemaRegistry } from '../serde/index.js';
import { BatchContext } from './batch-context.js';
import { CodecSet, type SchemaResolver } from './codec-set.js';
import { compileProcessors } from './compile-processors.js';
import type { Envelope } from './envelope.js';
import { eventTimeReader, repartitionEventTime, type EventTimeOf } from './event-time.js';
import type { Processor } from './processors/processor.js';
import { runAll } from './processors/processor.js';
import type { StatefulProcessor } from './processors/stateful-processor.js';
import type { BatchResult, CommitOffset, InputRecord } from './records.js';

/**
 * What a task needs from its environment; no Kafka in it.
 *
 * @example
 * ```ts
 * const deps: TaskDeps = { registry: new InMemorySchemaRegistry(), resolveSchema: (ref) => loadSchema(ref) };
 * ```
 */
export interface TaskDeps {
  readonly registry: SchemaRegistry;
  readonly resolveSchema: SchemaResolver;
}

/**
 * The per-partition engine: one task per (sub-topology, input partition),
 * driven by any transport — the librdkafka runtime or the test driver —
 * through the same four calls.
 *
 * Contract:
 * - `init()` once (registers the schemas the task writes);
 * - `restore(records)` with the task's partition of each of
 *   `subTopology.changelogTopics`, before the first batch;
 * - `process(batch, nowMs)` per consumed batch (records of the task's input
 *   partition, in offset order); write `outputs` and commit `commits` in ONE
 *   transaction. If it rejects (registry outage…), nothing was changed:
 *   retry the same batch. If the transaction aborts after it resolved, drop
 *   the task and build a new one (restore, then re-consume from the
 *   committed offsets) — window state is already ahead.
 * - `punctuate(nowMs)` on a timer, for the idle-close option.
 *
 * @example
 * ```ts
 * const task = new Task(plan, 0, 3, { registry, resolveSchema });
 * await task.init();
 * await task.restore([]);
 * const { outputs, commits } = await task.process(records, Date.now());
 * ```
 */
export class Task {
  readonly subTopology: SubTopology;
  private readonly root: SourceNode | RepartitionSourceNode;
  private readonly input: AvroCodec<unknown>;
  private readonly codecs: CodecSet;
  private readonly next: readonly Processor[];
  private readonly windows: StatefulProcessor[] = [];
  private readonly readEventTime: EventTimeOf;

  constructor(
    readonly plan: TopologyPlan,
    subTopologyId: number,
    readonly partition: number,
    deps: TaskDeps,
  ) {
    const sub = plan.subTopologies.find((s) => s.id === subTopologyId);
    if (sub === undefined) throw new Error(`topology "${plan.topology}" has no sub-topology ${subTopologyId}`);
    this.subTopology = sub;
    this.root = sub.root;
    this.codecs = new CodecSet(deps.registry, deps.resolveSchema);
    this.input = this.codecs.reader(`${this.root.topic}-value`, this.root.schema);
    this.readEventTime = this.root.kind === 'SourceNode' ? eventTimeReader(this.root.eventTime) : repartitionEventTime;
    this.next = compileProcessors(this.root.next, { codecs: this.codecs, partition, windows: this.windows });
  }

  /** Registers every schema this task writes; rejects if the registry refuses one. */
  async init(): Promise<void> {
    await this.codecs.registerWriters();
  }

  /**
   * Rebuilds window state from the task's partition of its changelog topics
   * (records of any of them, in offset order per topic). Returns the number
   * of open windows restored.
   */
  async restore(records: readonly InputRecord[], nowMs: number = Date.now()): Promise<number> {
    let open = 0;
    for (const w of this.windows) open += await w.restore(records.filter((r) => r.topic === w.stateTopic), nowMs);
    return open;
  }

  /** Processes one batch of the task's input partition; see the class contract. */
  async process(batch: readonly InputRecord[], nowMs: number): Promise<BatchResult> {
    const ctx = new BatchContext(nowMs);
    await this.input.prepare(batch.map((r) => r.value));
    const root = this.root;
    const envelopes: Envelope[] = [];
    for (const record of batch) {
      ctx.counters.processed++;
      const decoded = this.input.decode(record.value);
      if (!decoded.ok) {
        ctx.deadLetter(record, root.deadLetter, decoded.reason, root.name, decoded.message);
        continue;
      }
      let eventTime: number;
      try {
        eventTime = this.readEventTime(decoded.value, record);
      } catch (error) {
        eventTime = Number.NaN;
        ctx.deadLetter(record, root.deadLetter, 'event-time', root.name, `event time extractor threw: ${String(error)}`);
        continue;
      }
      if (!Number.isFinite(eventTime)) {
        ctx.deadLetter(record, root.deadLetter, 'event-time', root.name, 'the record has no usable event time (not a finite number of epoch ms)');
        continue;
      }
      envelopes.push({ value: decoded.value, key: record.key, eventTime, origin: record });
    }
    await runAll(this.next, envelopes, ctx);
    for (const w of this.windows) w.apply(ctx);
    return { outputs: ctx.outputs, commits: commitsOf(batch), counters: ctx.counters };
  }

  /** Wall-clock work: closes windows of an idle partition (the `idleClose` option). */
  /** Windows currently open across the task's window steps (a gauge for metrics). */
  openWindows(): number {
    let open = 0;
    for (const w of this.windows) open += w.openWindows;
    return open;
  }

  async punctuate(nowMs: number): Promise<BatchResult> {
    const ctx = new BatchContext(nowMs);
    for (const w of this.windows) w.punctuate(ctx);
    return { outputs: ctx.outputs, commits: [], counters: ctx.counters };
  }
}

function commitsOf(batch: readonly InputRecord[]): CommitOffset[] {
  // A batch is normally one partition: compare with the previous record
  // instead of building a key per record.
  const commits: { topic: string; partition: number; nextOffset: bigint }[] = [];
  let last: (typeof commits)[number] | undefined;
  for (const r of batch) {
    if (last === undefined || last.topic !== r.topic || last.partition !== r.partition) {
      last = commits.find((c) => c.topic === r.topic && c.partition === r.partition);
      if (last === undefined) commits.push((last = { topic: r.topic, partition: r.partition, nextOffset: r.offset + 1n }));
    }
    if (r.offset >= last.nextOffset) last.nextOffset = r.offset + 1n;
  }
  return commits;
}
