import { stepCodeOf, type StepCode } from '../plan/step-code.js';
import type { PlanNode, RepartitionSourceNode, SourceNode } from '../plan/plan-node.js';
import type { SubTopology, TopologyPlan } from '../plan/topology-plan.js';
import type { Codec, SchemaRegistry } from '../serde/index.js';
import { BatchContext } from './batch-context.js';
import type { OutputLimits } from './output-limits.js';
import { CodecSet, type SchemaResolver } from './codec-set.js';
import { compileProcessors } from './compile-processors.js';
import type { Envelope } from './envelope.js';
import { eventTimeReader, repartitionEventTime, type EventTimeOf } from './event-time.js';
import type { Processor } from './processors/processor.js';
import { runAll } from './processors/processor.js';
import type { RepartitionSinkProcessor } from './processors/repartition-sink-processor.js';
import type { StatefulProcessor } from './processors/stateful-processor.js';
import { OriginWatermarks } from './origin-watermarks.js';
import type { BatchResult, CommitOffset, InputRecord, OutputRecord } from './records.js';
import { decodeTaskProgress, encodeTaskProgress, type TaskProgress } from './task-progress.js';
import { readWatermarkHeaders } from './watermark-headers.js';

/** One input topic of a task. */
interface TaskInput {
  readonly source: SourceNode | RepartitionSourceNode;
  readonly codec: Codec<unknown>;
  readonly readEventTime: EventTimeOf;
  readonly next: readonly Processor[];
}

/**
 * What a task needs from its environment; no Kafka in it.
 *
 * @example
 * ```ts
 * const deps: TaskDeps = { registry: new InMemorySchemaRegistry(), resolveSchema: (ref) => loadSchema(ref), partitionCount: () => 3 };
 * ```
 */
export interface TaskDeps {
  readonly registry: SchemaRegistry;
  /** Avro schemas by reference; with `document`, sources naming a JSON Schema read JSON (see {@link SchemaResolver}). */
  readonly resolveSchema: SchemaResolver;
  /** Partition count of any topic of the plan (repartition topics get a watermark marker per partition). */
  readonly partitionCount: (topic: string) => number;
  /** The topology's user code by step name; default: the code `plan()` attached to the plan. */
  readonly code?: StepCode;
  /** The largest record each output topic accepts: larger dead letters are cut, larger outputs dead-lettered (see `BatchContext`). */
  readonly outputLimits?: OutputLimits;
}

/**
 * The per-partition engine: one task per (sub-topology, input partition),
 * driven by any transport — the librdkafka runtime or the test driver —
 * through the same four calls.
 *
 * Contract:
 * - `init()` once (registers the schemas the task writes);
 * - `restore(records, nowMs, progress)` with the task's partition of each of
 *   `subTopology.changelogTopics` and the metadata committed with its input
 *   offset, before the first batch;
 * - `process(batch, nowMs)` per consumed batch (records of the task's input
 *   partition, in offset order); write `outputs` and commit `commits` (their
 *   metadata included) in ONE transaction. If it rejects (registry outage…),
 *   nothing was changed: retry the same batch. If the transaction aborts
 *   after it resolved, drop the task and build a new one (restore, then
 *   re-consume from the committed offsets) — window state is already ahead.
 * - `markers(nowMs, idle)` once per checkpoint, into the same transaction:
 *   watermark markers for the tasks downstream (`idle`: the input partition
 *   is read to its end);
 * - `punctuate(nowMs)` on a timer, for the idle-close option.
 *
 * @example
 * ```ts
 * const task = new Task(plan, 0, 3, { registry, resolveSchema, partitionCount: () => 6 });
 * await task.init();
 * await task.restore([], Date.now(), committedMetadata);
 * const { outputs, commits } = await task.process(records, Date.now());
 * outputs.push(...task.markers(Date.now(), false));
 * ```
 */
export class Task {
  readonly subTopology: SubTopology;
  /** One per input topic: its source node, decoder, event time and the processors after it. */
  private readonly inputs = new Map<string, TaskInput>();
  private readonly codecs: CodecSet;
  private readonly windows: StatefulProcessor[] = [];
  private readonly repartitionSinks: RepartitionSinkProcessor[] = [];
  /** Set in a task reading a repartition topic: what its upstream tasks said of their event time. */
  private readonly origins: OriginWatermarks | undefined;
  private readonly outputLimits: OutputLimits | undefined;
  /** Counts the progress this task has committed, so the newest of its inputs' metadata is found on restore. */
  private seq = 0;
  /** The event times of the batch in process (see `BatchResult.eventTimes`). */
  private readonly eventTimes = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };

  constructor(
    readonly plan: TopologyPlan,
    subTopologyId: number,
    readonly partition: number,
    deps: TaskDeps,
  ) {
    const sub = plan.subTopologies.find((s) => s.id === subTopologyId);
    if (sub === undefined) throw new Error(`topology "${plan.topology}" has no sub-topology ${subTopologyId}`);
    this.subTopology = sub;
    this.outputLimits = deps.outputLimits;
    // A plan that crossed a thread lost its code: the caller gives the topology's (TaskDeps.code).
    const code = deps.code ?? stepCodeOf(plan);
    this.codecs = new CodecSet(deps.registry, deps.resolveSchema);
    const compile = {
      codecs: this.codecs,
      partition,
      windows: this.windows,
      subTopology: sub.id,
      partitionCount: deps.partitionCount,
      repartitionSinks: this.repartitionSinks,
      merges: new Map(),
      code,
    };
    let origins: OriginWatermarks | undefined;
    for (const source of sub.sources) {
      this.inputs.set(source.topic, {
        source,
        // A source reads its schema's format (JSON Schema when the resolver says so); a repartition topic is Avro.
        codec: source.kind === 'SourceNode' ? this.codecs.input(`${source.topic}-value`, source.schema) : this.codecs.reader(`${source.topic}-value`, source.schema),
        readEventTime: source.kind === 'SourceNode' ? eventTimeReader(source.eventTime, () => code.eventTime(source.topic)) : repartitionEventTime,
        next: compileProcessors(source.next, compile),
      });
      // The planner gives a repartition topic's reader no other input.
      if (source.kind === 'RepartitionSourceNode') origins = new OriginWatermarks(upstreamTaskCount(plan, source.topic, deps.partitionCount));
    }
    this.origins = origins;
  }

  /** The topics this task reads partition `partition` of. */
  get inputTopics(): readonly string[] {
    return this.subTopology.inputTopics;
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
  async restore(records: readonly InputRecord[], nowMs: number = Date.now(), committedMetadata?: string): Promise<number> {
    const progress = decodeTaskProgress(committedMetadata);
    this.seq = progress?.seq ?? 0;
    for (const sink of this.repartitionSinks) {
      const watermark = progress?.sinks?.[sink.topic];
      if (watermark !== undefined) sink.resume(watermark);
    }
    // Without progress (a first start, or state written before it was kept) windows fall back to the
    // highest event time restored, as the stores do on their own.
    let closeWatermark: number | undefined;
    if (this.origins !== undefined && progress?.origins !== undefined) {
      this.origins.restore(progress.origins);
      closeWatermark = this.origins.closeWatermark;
    }
    let open = 0;
    for (const w of this.windows) open += await w.restore(records.filter((r) => r.topic === w.stateTopic), nowMs, closeWatermark);
    return open;
  }

  /**
   * The metadata to commit with this task's input offset: its event-time
   * progress ({@link TaskProgress}), or undefined when it keeps none.
   */
  progress(): string | undefined {
    if (this.repartitionSinks.length === 0 && this.origins === undefined) return undefined;
    let sinks: Record<string, number> | undefined;
    for (const sink of this.repartitionSinks) if (Number.isFinite(sink.watermark)) (sinks ??= {})[sink.topic] = sink.watermark;
    const progress: TaskProgress = {
      v: 1,
      ...(this.inputs.size > 1 ? { seq: ++this.seq } : {}),
      ...(sinks === undefined ? {} : { sinks }),
      ...(this.origins === undefined ? {} : { origins: this.origins.snapshot() }),
    };
    return encodeTaskProgress(progress);
  }

  /**
   * Watermark markers for the repartition topics this task writes, when its
   * watermark moved since the last ones or its idleness changed (`idle`: the
   * input partition is read to its end). Produce them in the checkpoint's transaction.
   */
  markers(nowMs: number, idle: boolean): OutputRecord[] {
    if (this.repartitionSinks.length === 0) return [];
    const markers: OutputRecord[] = [];
    for (const sink of this.repartitionSinks) for (const m of sink.markers(nowMs, idle)) markers.push(m);
    return markers;
  }

  /**
   * Processes one batch of the task's input partitions (in offset order per
   * partition; consecutive records of one input are decoded and run
   * together); see the class contract.
   */
  async process(batch: readonly InputRecord[], nowMs: number): Promise<BatchResult> {
    const ctx = new BatchContext(nowMs, this.outputLimits);
    this.eventTimes.min = Number.POSITIVE_INFINITY;
    this.eventTimes.max = Number.NEGATIVE_INFINITY;
    for (let start = 0; start < batch.length; ) {
      const topic = batch[start]!.topic;
      let end = start + 1;
      while (end < batch.length && batch[end]!.topic === topic) end++;
      await this.run(this.inputOf(topic), start === 0 && end === batch.length ? batch : batch.slice(start, end), ctx);
      start = end;
    }
    for (const w of this.windows) w.apply(ctx);
    const { min, max } = this.eventTimes;
    return { outputs: ctx.outputs, commits: commitsOf(batch, this.progress()), counters: ctx.counters, ...(min <= max ? { eventTimes: { min, max } } : {}) };
  }

  private inputOf(topic: string): TaskInput {
    const input = this.inputs.get(topic);
    if (input === undefined) throw new Error(`task ${this.subTopology.id}_${this.partition} of topology "${this.plan.topology}" reads ${this.inputTopics.join(', ')}, not ${topic}`);
    return input;
  }

  /** Decodes records of one input and runs them through the processors after its source. */
  private async run(input: TaskInput, records: readonly InputRecord[], ctx: BatchContext): Promise<void> {
    const { source, codec, readEventTime } = input;
    await codec.prepare(records.map((r) => r.value));
    const envelopes: Envelope[] = [];
    const origins = source.kind === 'RepartitionSourceNode' ? this.origins : undefined;
    for (const record of records) {
      let watermark = Number.NEGATIVE_INFINITY;
      if (origins !== undefined) {
        const stamp = readWatermarkHeaders(record);
        if (stamp !== undefined) {
          origins.heard(stamp.origin, stamp.watermark, stamp.marker === 'idle');
          if (stamp.marker !== undefined) continue;
          watermark = stamp.watermark;
        }
      }
      ctx.counters.processed++;
      const decoded = codec.decode(record.value);
      if (!decoded.ok) {
        ctx.deadLetter(record, source.deadLetter, decoded.reason, source.name, decoded.message);
        continue;
      }
      let eventTime: number;
      try {
        eventTime = readEventTime(decoded.value, record);
      } catch (error) {
        ctx.deadLetter(record, source.deadLetter, 'event-time', source.name, `event time extractor threw: ${String(error)}`);
        continue;
      }
      if (!Number.isFinite(eventTime)) {
        ctx.deadLetter(record, source.deadLetter, 'event-time', source.name, 'the record has no usable event time (not a finite number of epoch ms)');
        continue;
      }
      envelopes.push({ value: decoded.value, key: record.key, eventTime, watermark, origin: record });
      if (eventTime < this.eventTimes.min) this.eventTimes.min = eventTime;
      if (eventTime > this.eventTimes.max) this.eventTimes.max = eventTime;
    }
    if (origins !== undefined) ctx.closeWatermark = origins.settle();
    await runAll(input.next, envelopes, ctx);
  }

  /** Windows currently open across the task's window steps (a gauge for metrics). */
  openWindows(): number {
    let open = 0;
    for (const w of this.windows) open += w.openWindows;
    return open;
  }

  /** Wall-clock work: closes windows of an idle partition (the `idleClose` option). */
  async punctuate(nowMs: number): Promise<BatchResult> {
    const ctx = new BatchContext(nowMs, this.outputLimits);
    for (const w of this.windows) w.punctuate(ctx);
    return { outputs: ctx.outputs, commits: [], counters: ctx.counters };
  }
}

function commitsOf(batch: readonly InputRecord[], metadata: string | undefined): CommitOffset[] {
  // A batch is normally one partition: compare with the previous record
  // instead of building a key per record.
  const commits: { topic: string; partition: number; nextOffset: bigint; metadata?: string }[] = [];
  let last: (typeof commits)[number] | undefined;
  for (const r of batch) {
    if (last === undefined || last.topic !== r.topic || last.partition !== r.partition) {
      last = commits.find((c) => c.topic === r.topic && c.partition === r.partition);
      if (last === undefined) commits.push((last = { topic: r.topic, partition: r.partition, nextOffset: r.offset + 1n, ...(metadata === undefined ? {} : { metadata }) }));
    }
    if (r.offset >= last.nextOffset) last.nextOffset = r.offset + 1n;
  }
  return commits;
}

/** How many tasks write to `topic`: the partitions of every sub-topology that repartitions into it. */
function upstreamTaskCount(plan: TopologyPlan, topic: string, partitionCount: (topic: string) => number): number {
  let count = 0;
  for (const sub of plan.subTopologies) if (sub.sources.some((source) => writesTo(source, topic))) count += partitionCount(sub.inputTopics[0]!);
  return count;
}

function writesTo(node: PlanNode, topic: string): boolean {
  if (node.kind === 'RepartitionSinkNode' && node.topic === topic) return true;
  return node.next.some((child: PlanNode) => writesTo(child, topic));
}
