import { checkSchemaFields } from '../plan/check-schema-fields.js';
import type { Topology } from '../dsl/topology.js';
import type { PlanNode } from '../plan/plan-node.js';
import { plan as planTopology } from '../plan/plan-topology.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaRef, TopologySpec } from '../plan/topology-spec.js';
import { CodecSet, type SchemaResolver } from '../runtime/codec-set.js';
import type { OutputRecord, TaskCounters } from '../runtime/records.js';
import { interleaveByTimestamp } from '../runtime/interleave-by-timestamp.js';
import { coPartitioningProblem } from '../runtime/ensure-plan-topics.js';
import { Task } from '../runtime/task.js';
import { newestTaskProgress } from '../runtime/task-progress.js';
import { InMemorySchemaRegistry, type Codec, type SchemaRegistry } from '../serde/index.js';
import { InMemoryTopics } from './in-memory-topics.js';
import { schemaLookups, schemaResolver, type NamedSchema } from '../runtime/schema-resolver.js';
import { TestSink, TestSinks } from './test-sink.js';
import { TestDeadLetterTopic, TestInputTopic, TestOutputTopic, TestTable } from './test-topics.js';

/**
 * Options of {@link TopologyTestDriver}.
 *
 * @example
 * ```ts
 * const options: TopologyTestDriverOptions = { partitions: 3, schemas: { 'bus-telemetry': busSchema } };
 * ```
 */
export interface TopologyTestDriverOptions {
  /** Partitions of every topic not listed in `topicPartitions` (internal topics follow their input). Default 1. */
  readonly partitions?: number;
  readonly topicPartitions?: Readonly<Record<string, number>>;
  /** Default: a fresh `InMemorySchemaRegistry` (BACKWARD compatibility). */
  readonly registry?: SchemaRegistry;
  /** Schemas by name (Avro, or `{ format: 'json', schema }` for a JSON Schema); names not found here are read from `schemaDir`. */
  readonly schemas?: Readonly<Record<string, NamedSchema>>;
  /** Directory of `.avsc` and `.schema.json` files. Default `schemas`. */
  readonly schemaDir?: string;
  /** Start of the manual wall clock, epoch ms. Default 0. */
  readonly wallClockMs?: number;
  /** Records per task batch. Default: everything pending. */
  readonly maxBatchSize?: number;
  /** State budget of window steps that set none (as `sluice run --max-open-windows`); default none. */
  readonly maxOpenWindows?: number;
}

/**
 * Runs a topology with no broker: in-memory topics and schema registry, the
 * real per-partition engine (`Task`) and a manual wall clock. Every send runs
 * the topology until no task has input left, repartition topics included.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(busTelemetry, { partitions: 2 });
 * await driver.input<BusTelemetry>('bus.telemetry').send(event, { key: event.bus_id });
 * await driver.table<RouteStats>('bus.route-stats.1m').rows();
 * // [{ route_id: 'R1', window_start: 1700000040000, window_end: 1700000100000, events: 1, ... }]
 * await driver.deadLetters('bus.telemetry.dlq').records(); // [{ reason: 'invalid', step: 'ranges', ... }]
 * ```
 */
export class TopologyTestDriver {
  readonly plan: TopologyPlan;
  readonly registry: SchemaRegistry;
  readonly topics: InMemoryTopics;
  /** Totals over every batch so far. */
  readonly counters: TaskCounters = { processed: 0, deadLettered: 0, late: 0, dropped: 0 };
  private readonly options: TopologyTestDriverOptions;
  private readonly committed = new Map<string, { readonly nextOffset: bigint; readonly metadata: string | undefined }>();
  private tasks: { readonly task: Task; readonly topics: readonly string[]; readonly partition: number }[] = [];
  private ready: Promise<SchemaResolver> | undefined;
  private wall: number;
  private testSinks: TestSinks | undefined;

  constructor(topology: Topology | TopologySpec | TopologyPlan, options: TopologyTestDriverOptions = {}) {
    this.plan = 'subTopologies' in topology ? topology : planTopology(topology, options.maxOpenWindows === undefined ? {} : { maxOpenWindows: options.maxOpenWindows });
    this.options = options;
    this.registry = options.registry ?? new InMemorySchemaRegistry();
    this.wall = options.wallClockMs ?? 0;
    this.topics = new InMemoryTopics((topic) => this.partitionCount(topic));
  }

  /** The manual wall clock, epoch ms. */
  get wallClockMs(): number {
    return this.wall;
  }

  /** A typed producer for a source topic (values encoded with the source's schema). */
  input<T>(topic: string): TestInputTopic<T> {
    return new TestInputTopic<T>(this, topic);
  }

  /** A typed reader of an output topic written by `.to()`. */
  output<T>(topic: string): TestOutputTopic<T> {
    return new TestOutputTopic<T>(this, topic);
  }

  /** A typed reader of a table topic written by `.toTable()`. */
  table<R>(topic: string): TestTable<R> {
    return new TestTable<R>(this, topic);
  }

  /** A reader of a dead-letter topic, headers decoded. */
  deadLetters(topic: string): TestDeadLetterTopic {
    return new TestDeadLetterTopic(this, topic);
  }

  /** A sink of the topology read back as rows (`postgres()` and `memory()` sinks, served in memory; see {@link TestSink}). */
  sink<R = Readonly<Record<string, unknown>>>(name: string): TestSink<R> {
    this.testSinks ??= new TestSinks(this);
    return new TestSink<R>(this.testSinks, name);
  }

  /** Moves the wall clock forward and lets tasks close idle windows (`idleClose`). */
  async advanceWallClock(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`advanceWallClock needs a non-negative number of ms, got ${ms}`);
    await this.start();
    this.wall += ms;
    for (const { task } of this.tasks) this.write((await task.punctuate(this.wall)).outputs, undefined);
    await this.run();
  }

  /** Simulates a crash and restart: new tasks restore from their changelog topics and go on from the committed offsets. */
  async restart(): Promise<void> {
    await this.start();
    this.tasks = await this.createTasks(await this.ready!);
  }

  /** @internal Appends records to topics (no processing). */
  write(records: readonly OutputRecord[], counters: Readonly<TaskCounters> | undefined): void {
    for (const r of records) this.topics.append(r);
    if (counters !== undefined) {
      this.counters.processed += counters.processed;
      this.counters.deadLettered += counters.deadLettered;
      this.counters.late += counters.late;
      this.counters.dropped += counters.dropped;
      for (const [step, n] of Object.entries(counters.stateOverflow ?? {})) {
        const perStep = (this.counters.stateOverflow ??= {});
        perStep[step] = (perStep[step] ?? 0) + n;
      }
    }
  }

  /** @internal A codec for a topic's values (or a table's keys), in its schema's format. */
  async codec(topic: string, kind: 'key' | 'value', schema?: SchemaRef): Promise<Codec<unknown>> {
    const resolve = await this.start();
    const ref = schema ?? this.schemaOf(topic, kind);
    return new CodecSet(this.registry, resolve).input(`${topic}-${kind}`, ref);
  }

  /** @internal Starts tasks on first use. */
  start(): Promise<SchemaResolver> {
    this.ready ??= (async () => {
      const resolve = await schemaResolver(this.options.schemas ?? {}, this.options.schemaDir ?? 'schemas');
      // The check `sluice run` makes at start-up: field names against the schemas named in schemas/.
      const lookups = schemaLookups(resolve);
      checkSchemaFields(this.plan, lookups.avro, lookups.json);
      this.tasks = await this.createTasks(resolve);
      return resolve;
    })();
    return this.ready;
  }

  /** @internal Runs every task until no input is left (repartition topics feed downstream tasks). */
  async run(): Promise<void> {
    await this.start();
    const max = this.options.maxBatchSize ?? Number.POSITIVE_INFINITY;
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const { task, topics, partition } of this.tasks) {
        // A task reading several topics takes the next record from the input whose next record is oldest, as on Kafka.
        const pending = interleaveByTimestamp(topics.map((topic) => this.topics.read(topic, partition, this.committed.get(`${topic}\u0000${partition}`)?.nextOffset ?? 0n)));
        if (pending.length > 0) {
          const batch = pending.length > max ? pending.slice(0, max) : pending;
          const result = await task.process(batch, this.wall);
          this.write(result.outputs, result.counters);
          for (const c of result.commits) this.committed.set(`${c.topic}\u0000${c.partition}`, { nextOffset: c.nextOffset, metadata: c.metadata });
          progressed = true;
        }
        // As the Kafka runner does once per checkpoint; a partition read to its end is idle.
        const markers = task.markers(this.wall, pending.length <= max);
        if (markers.length > 0) {
          this.write(markers, undefined);
          progressed = true;
        }
      }
    }
  }

  private async createTasks(resolveSchema: SchemaResolver): Promise<typeof this.tasks> {
    const tasks: typeof this.tasks = [];
    for (const sub of this.plan.subTopologies) {
      const partitions = this.partitionCount(sub.inputTopics[0]!);
      for (const topic of sub.inputTopics) {
        if (this.partitionCount(topic) !== partitions) throw new Error(coPartitioningProblem(this.plan, sub.inputTopics, (t) => this.partitionCount(t)));
      }
      for (let p = 0; p < partitions; p++) {
        const task = new Task(this.plan, sub.id, p, { registry: this.registry, resolveSchema, partitionCount: (topic) => this.partitionCount(topic) });
        await task.init();
        const changelog = sub.changelogTopics.flatMap((t) => this.topics.read(t, p, 0n));
        await task.restore(changelog, this.wall, newestTaskProgress(sub.inputTopics.map((t) => this.committed.get(`${t}\u0000${p}`)?.metadata)));
        tasks.push({ task, topics: sub.inputTopics, partition: p });
      }
    }
    return tasks;
  }

  private partitionCount(topic: string): number {
    const explicit = this.options.topicPartitions?.[topic];
    if (explicit !== undefined) return explicit;
    const planned = this.plan.topics.find((t) => t.name === topic);
    if (planned?.coPartitionedWith !== undefined) return this.partitionCount(planned.coPartitionedWith);
    return this.options.partitions ?? 1;
  }

  private schemaOf(topic: string, kind: 'key' | 'value'): SchemaRef {
    for (const source of this.plan.subTopologies.flatMap((s) => s.sources)) {
      const found = findSchema(source, topic, kind);
      if (found !== undefined) return found;
    }
    throw new Error(`topic "${topic}" is not a source, output or table topic of topology "${this.plan.topology}"`);
  }
}

function findSchema(node: PlanNode, topic: string, kind: 'key' | 'value'): SchemaRef | undefined {
  if (kind === 'value' && (node.kind === 'SourceNode' || node.kind === 'StreamSinkNode') && node.topic === topic) return node.schema;
  if (node.kind === 'TableSinkNode' && node.topic === topic) return kind === 'key' ? node.keySchema : node.valueSchema;
  for (const child of node.next) {
    const found = findSchema(child, topic, kind);
    if (found !== undefined) return found;
  }
  return undefined;
}
