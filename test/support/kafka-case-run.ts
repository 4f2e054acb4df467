import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { plan, partitionForKey } from 'sluice';
import { schemaResolver } from 'sluice/testing';
import { KafkaAdmin, kafkaStreamTransport, PartitionReader, RecordProducer, type OutgoingRecord, type TopicPartition } from '../../src/kafka/index.js';
import type { TopologyPlan } from '../../src/plan/topology-plan.js';
import { CodecSet, type SchemaResolver } from '../../src/runtime/codec-set.js';
import type { RuntimeLog } from '../../src/runtime/runtime-log.js';
import { TopologyRunner } from '../../src/runtime/topology-runner.js';
import { HttpSchemaRegistry, type Codec } from '../../src/serde/index.js';
import { framedBody, type CaseStep, type ConformanceCase } from '../conformance/conformance-case.js';
import { awaitQuiescence } from './await-quiescence.js';
import { deadLetters, outputValues, records, tableRows, type CaseTopicSource } from './case-topic-readers.js';
import { renameTopology } from './rename-topology.js';
import type { StreamTransport } from '../../src/runtime/stream-transport.js';
import { relayedTransport } from './relayed-transport.js';

/** The broker and registry a case runs on. */
export interface CaseStack {
  readonly kafkaBootstrapServers: string;
  readonly schemaRegistryUrl: string;
}

/**
 * How the runner reaches Kafka: `direct` — the librdkafka transport in hand;
 * `relayed` — through `remoteStreamTransport` and `serveStreamTransport` over
 * a message channel, as `sluice run` does between its processing thread and
 * the thread that owns the client (packed batches, reading ahead, queued
 * produces), here within one thread.
 */
export type CaseTransport = 'direct' | 'relayed';

/** Generous bound for "the runner caught up"; only reached when something is broken. */
const QUIESCENCE_TIMEOUT_MS = 60_000;

// Case event times sit near epoch 0 and outputs carry them as record timestamps. With the broker's
// time retention such records are deletable at the next retention check, which would make reads
// flaky; the topics this suite creates itself (sources, outputs, dead letters) keep everything.
const KEEP_FOREVER = { 'retention.ms': '-1' };

/**
 * One conformance case on the real Kafka runtime, in-process: its topology
 * renamed with a random suffix (topics, consumer group, internal topics and
 * subjects are this run's own on a shared broker), a {@link TopologyRunner}
 * on a manual clock, and each step followed by a wait until the group has
 * processed everything (the driver also finishes a step before the next).
 *
 * @example
 * ```ts
 * const run = await KafkaCaseRun.start(c, inject('stack'));
 * for (const step of c.steps) await run.step(step);
 * await run.tableRows('t.counts'); // read like driver.table('t.counts').rows()
 * await run.stop({ deleteTopics: true });
 * ```
 */
export class KafkaCaseRun {
  readonly #codecs = new Map<string, Promise<Codec<unknown>>>();
  readonly #stop = new AbortController();
  readonly #lastRecords = new Map<string, { end: bigint; next: bigint }>();
  #running: Promise<void> | undefined;
  #failure: unknown;

  private constructor(
    readonly testCase: ConformanceCase,
    readonly plan: TopologyPlan,
    private readonly names: ReadonlyMap<string, string>,
    private readonly reader: CaseTopicSource,
    private readonly admin: KafkaAdmin,
    private readonly partitionReader: PartitionReader,
    private readonly producer: RecordProducer,
    private readonly runner: TopologyRunner,
    private readonly closeTransport: () => Promise<void>,
    private readonly clock: { ms: number },
    /** The runner's log lines, for failure messages. */
    readonly logs: readonly string[],
  ) {}

  /** Renames, creates the source topics, starts the runner and lets it join its group. */
  static async start(c: ConformanceCase, stack: CaseStack, via: CaseTransport = 'direct'): Promise<KafkaCaseRun> {
    const suffix = randomUUID().slice(0, 8);
    const renamed = renameTopology(c.topology.spec, (name) => `${name}-${suffix}`);
    const planned = plan(renamed.spec);
    const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
    const admin = new KafkaAdmin(bootstrap);
    const partitions = c.partitions ?? 1;
    await admin.ensureTopics(
      planned.topics
        .filter((t) => t.role === 'source' || t.role === 'output' || t.role === 'dead-letter')
        // Outputs and dead letters get the counts the runner would give them (source's, DLQ 1); created
        // here only so they keep old timestamps.
        .map((t) => ({ name: t.name, partitions: t.role === 'dead-letter' ? 1 : partitions, config: KEEP_FOREVER })),
    );
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const resolveSchema: SchemaResolver = await schemaResolver(c.schemas, undefined);
    const counts = new Map<string, number>();
    const partitionReader = await PartitionReader.connect(bootstrap);
    const reader: CaseTopicSource = {
      reader: partitionReader,
      registry,
      plan: planned,
      resolveSchema,
      originals: renamed.originals,
      async partitionsOf(topic) {
        if (!counts.has(topic)) for (const [name, n] of await admin.partitionCounts([topic])) counts.set(name, n);
        const n = counts.get(topic);
        if (n === undefined) throw new Error(`topic ${topic} does not exist: the runtime never wrote it`);
        return n;
      },
    };
    const kafka = kafkaStreamTransport(bootstrap);
    const logs: string[] = [];
    const log: RuntimeLog = (level, message, fields) => {
      logs.push(`${level} ${message} ${fields === undefined ? '' : JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    };
    let transport: StreamTransport = kafka;
    let closeTransport = (): Promise<void> => kafka.close();
    if (via === 'relayed') {
      const relay = relayedTransport(kafka);
      transport = relay.transport;
      closeTransport = async () => {
        await relay.close();
        await kafka.close();
      };
    }
    // The driver's manual clock: starts at 0 and moves only on advanceWallClock.
    const clock = { ms: 0 };
    const runner = new TopologyRunner({
      plan: planned,
      transport,
      registry,
      resolveSchema,
      log,
      instanceId: 'conformance',
      // Punctuating whenever the clock moved at all makes the first checkpoint after an advance the punctuation.
      now: () => clock.ms,
      punctuateEveryMs: 1,
    });
    const producer = await RecordProducer.connect(bootstrap);
    const run = new KafkaCaseRun(c, planned, renamed.names, reader, admin, partitionReader, producer, runner, closeTransport, clock, logs);
    try {
      await runner.start();
    } catch (error) {
      await run.stop({ deleteTopics: false }).catch(() => {});
      throw error;
    }
    run.#running = runner.run(run.#stop.signal).catch((error: unknown) => {
      run.#failure = error;
    });
    return run;
  }

  /** The runner's counters (late, dead-lettered, checkpoints, aborts…). */
  get stats(): Readonly<TopologyRunner['stats']> {
    return this.runner.stats;
  }

  /** Late records counted by the runner so far. */
  get late(): number {
    return this.runner.stats.late;
  }

  /** The broker name of a case topic. */
  topic(name: string): string {
    const renamed = this.names.get(name);
    if (renamed === undefined) throw new Error(`case "${this.testCase.name}" names no topic ${name}`);
    return renamed;
  }

  /** Runs one step, then waits until the runner has processed everything it caused. */
  async step(step: CaseStep): Promise<void> {
    if ('send' in step) {
      const topic = this.topic(step.send);
      const codec = await this.#codec(topic);
      await this.producer.produceAll(step.records.map((r) => this.#record(topic, r.key, codec.encode(r.value), r.timestamp)));
    } else if ('sendRaw' in step) {
      await this.producer.produceAll([this.#record(this.topic(step.sendRaw), step.key, step.value, undefined)]);
    } else if ('sendFramed' in step) {
      const topic = this.topic(step.sendFramed);
      const id = await (await this.#codec(topic)).registerWriter();
      await this.producer.produceAll(step.bodies.map((b) => this.#record(topic, b.key, framedBody(id, b.body), undefined)));
    } else {
      await this.#advanceWallClock(step.advanceWallClock);
    }
    await this.quiesce();
  }

  /** Waits until the group's committed offsets cover every record of every input partition. */
  async quiesce(): Promise<void> {
    await awaitQuiescence(
      {
        admin: this.admin,
        reader: this.partitionReader,
        groupId: this.runner.groupId,
        inputs: await this.#inputPartitions(),
        alive: () => this.#throwIfDead(),
        lastRecords: this.#lastRecords,
      },
      QUIESCENCE_TIMEOUT_MS,
    );
  }

  tableRows(topic: string): Promise<unknown[]> {
    return tableRows(this.reader, this.topic(topic));
  }

  outputValues(topic: string): Promise<unknown[]> {
    return outputValues(this.reader, this.topic(topic));
  }

  deadLetters(topic: string): ReturnType<typeof deadLetters> {
    return deadLetters(this.reader, this.topic(topic));
  }

  /** Keyed source records whose partition differs from Kafka's murmur2 choice (`partitionForKey`); expected empty. */
  async misplacedSourceRecords(): Promise<string[]> {
    const misplaced: string[] = [];
    for (const source of this.plan.topics.filter((t) => t.role === 'source')) {
      const partitions = await this.reader.partitionsOf(source.name);
      for (const m of await records(this.reader, source.name)) {
        if (m.key === null || m.key === undefined) continue;
        const key = Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key);
        const expected = partitionForKey(key, partitions);
        if (expected !== m.partition) misplaced.push(`${key.toString('utf8')}: partition ${m.partition}, murmur2 says ${expected}`);
      }
    }
    return misplaced;
  }

  /** Stops the runner (it commits and leaves the group) and closes every client; deletes the topics when asked. */
  async stop(options: { deleteTopics: boolean }): Promise<void> {
    this.#stop.abort();
    await this.#running;
    await this.closeTransport();
    await this.producer.close();
    await this.partitionReader.close();
    if (options.deleteTopics) await this.admin.deleteTopics(this.plan.topics.map((t) => t.name)).catch(() => {});
    this.admin.close();
  }

  async #advanceWallClock(ms: number): Promise<void> {
    // The runner punctuates when its clock moved (by punctuateEveryMs = 1); the driver punctuates even
    // on 0 ms. No case advances by less than 1 ms; one that does needs a runner-side answer first.
    if (!(ms >= 1)) throw new Error(`advanceWallClock(${ms}): the Kafka runtime punctuates only when its clock moves by at least 1 ms`);
    // At quiescence no checkpoint has records to process, so the next one to complete is the one
    // that read the advanced clock, i.e. the punctuation.
    const before = this.runner.stats.checkpoints;
    this.clock.ms += ms;
    const deadline = Date.now() + QUIESCENCE_TIMEOUT_MS;
    while (this.runner.stats.checkpoints === before) {
      this.#throwIfDead();
      if (Date.now() > deadline) throw new Error(`no punctuation within ${QUIESCENCE_TIMEOUT_MS} ms after advancing the wall clock by ${ms} ms`);
      await sleep(20);
    }
  }

  #record(topic: string, key: string | undefined, value: Buffer | null, timestamp: number | undefined): OutgoingRecord {
    // Like the driver, a record without a timestamp gets the wall clock's. (librdkafka reads 0 as
    // "now", so at the clock's start the broker stamps it; no case asserts source timestamps.)
    return { topic, key: key === undefined ? null : Buffer.from(key), value, timestamp: timestamp ?? this.clock.ms };
  }

  #codec(topic: string): Promise<Codec<unknown>> {
    let codec = this.#codecs.get(topic);
    if (codec === undefined) {
      const source = this.plan.subTopologies.flatMap((s) => s.sources).find((root) => root.kind === 'SourceNode' && root.topic === topic);
      if (source === undefined) throw new Error(`${topic} is not a source topic of ${this.plan.topology}`);
      // Registered under `<topic>-value` in the source schema's format (Avro, or JSON Schema with its
      // schemaType), as a producer in the Confluent wire format does.
      const c = new CodecSet(this.reader.registry, this.reader.resolveSchema).input(`${topic}-value`, source.schema);
      codec = c.registerWriter().then(() => c);
      this.#codecs.set(topic, codec);
    }
    return codec;
  }

  async #inputPartitions(): Promise<TopicPartition[]> {
    const inputs: TopicPartition[] = [];
    for (const topic of this.plan.subTopologies.flatMap((s) => s.inputTopics)) {
      const partitions = await this.reader.partitionsOf(topic);
      for (let partition = 0; partition < partitions; partition++) inputs.push({ topic, partition });
    }
    return inputs;
  }

  #throwIfDead(): void {
    if (this.#failure !== undefined) throw new Error(`the runner stopped: ${String(this.#failure)}`);
  }
}
