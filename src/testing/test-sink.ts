import type { SchemaResolver } from '../runtime/codec-set.js';
import type { InputRecord } from '../runtime/records.js';
import { sinkDecoderFor, type SinkDecoder } from '../runtime/sink/dead-letter-record-decoder.js';
import { sinkSource } from '../runtime/sink/sink-source.js';
import type { RejectedRecord, Sink } from '../sinks/index.js';
import { memoryDriver, type MemoryDriver, type MemoryRow } from '../sinks/memory/index.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { InMemoryTopics } from './in-memory-topics.js';

/** One sink of the topology under test, and how far it has read its topic. */
interface FedSink {
  readonly topic: string;
  readonly sink: Sink;
  readonly decoder: SinkDecoder;
  /** Next offset to read, per partition. */
  readonly next: Map<number, bigint>;
  readonly rejected: RejectedRecord[];
  readonly undecodable: InputRecord[];
}

/** What {@link TestSinks} reads from its `TopologyTestDriver` (structurally, so the two files do not import each other). */
interface SinkFeedSource {
  readonly plan: TopologyPlan;
  readonly registry: SchemaRegistry;
  readonly topics: InMemoryTopics;
  start(): Promise<SchemaResolver>;
}

/**
 * @internal The sinks of one `TopologyTestDriver`, served by the
 * in-memory driver (`postgres()` specs included): created on first use and
 * fed from their topics before each read, as a sink's own consumer would.
 */
export class TestSinks {
  readonly #driver: SinkFeedSource;
  readonly #memory: MemoryDriver = memoryDriver({ serves: ['memory', 'postgres'] });
  readonly #fed = new Map<string, FedSink>();

  constructor(driver: SinkFeedSource) {
    this.#driver = driver;
  }

  /** Feeds the sink `name` everything its topic holds that it has not read yet; returns it. */
  async feed(name: string): Promise<FedSink> {
    const resolve = await this.#driver.start();
    const fed = this.#fed.get(name) ?? this.#create(name, resolve);
    const fresh = this.#driver.topics.all(fed.topic).filter((r) => r.offset >= (fed.next.get(r.partition) ?? 0n));
    if (fresh.length === 0) return fed;
    const decoded = await fed.decoder.decode(fresh);
    fed.undecodable.push(...decoded.undecodable.map((u) => u.origin));
    await fed.sink.writeBatch({ records: decoded.records }, { deadLetter: async (rejected) => void fed.rejected.push(...rejected) });
    for (const r of fresh) fed.next.set(r.partition, r.offset + 1n);
    return fed;
  }

  /** The rows the sink `name` holds now. */
  rows(name: string): MemoryRow[] {
    return this.#memory.rows(name);
  }

  #create(name: string, resolve: SchemaResolver): FedSink {
    const { plan, registry } = this.#driver;
    const source = sinkSource(plan, name, resolve);
    const spec = source.kind === 'dead-letter' ? this.#memory.deadLetterSpec(source.sink.spec, source.fields) : source.sink.spec;
    const sink = this.#memory.createSink({
      topology: plan.topology,
      name,
      spec,
      consumerGroup: source.groupId,
      records: source.kind,
      fields: source.fields,
      keySchema: source.keySchema,
      valueSchema: source.valueSchema,
    });
    const fed: FedSink = { topic: source.sink.topic, sink, decoder: sinkDecoderFor(source, registry), next: new Map(), rejected: [], undecodable: [] };
    this.#fed.set(name, fed);
    return fed;
  }
}

/**
 * A sink of the topology under test, read back as rows. `postgres()` and
 * `memory()` sinks are both served in memory: rows as the PostgreSQL sink
 * writes them without explicit columns — snake_case columns of the record's
 * key and value fields, upserted by the sink's key, deleted by tombstones,
 * added in `append` mode, one per key in `insert-ignore` — with values as
 * decoded (epoch milliseconds stay numbers: there are no column types).
 * A dead-letter sink's rows are the dead-letter rows (`reason`, `step`,
 * `payload_json`, …).
 *
 * @example
 * ```ts
 * await driver.input<AppEvent>('events').send(event, { key: event.user_id });
 * await driver.sink('raw-events-pg').rows();
 * // [{ event_id: 'e-1', user_id: 'u-7', event_type: 'click', … }]
 * ```
 */
export class TestSink<R = MemoryRow> {
  readonly #sinks: TestSinks;

  constructor(
    sinks: TestSinks,
    readonly name: string,
  ) {
    this.#sinks = sinks;
  }

  /** The rows the sink holds after everything its topic holds now. */
  async rows(): Promise<R[]> {
    await this.#sinks.feed(this.name);
    return this.#sinks.rows(this.name) as R[];
  }

  /** Records the sink refused (a key column without a value), with the reason; `sluice run` dead-letters them. */
  async rejected(): Promise<readonly RejectedRecord[]> {
    return [...(await this.#sinks.feed(this.name)).rejected];
  }
}
