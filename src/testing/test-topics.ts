import { compareKeys, decodeAll } from './topic-reading.js';
import type { SchemaRef } from '../plan/topology-spec.js';
import { ERROR_HEADERS } from '../runtime/error-headers.js';
import type { Codec } from '../serde/index.js';
import type { TopologyTestDriver } from './topology-test-driver.js';

/**
 * Options of {@link TestInputTopic.send}.
 *
 * @example
 * ```ts
 * const o: SendOptions = { key: 'bus-7', timestamp: 1700000000000 };
 * ```
 */
export interface SendOptions {
  /** The record key (UTF-8); picks the partition with murmur2 like a Kafka producer. */
  readonly key?: string | null;
  /** Record timestamp; default: the driver's wall clock. */
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly partition?: number;
  /** Write with this writer schema instead of the source's (schema evolution tests). */
  readonly schema?: SchemaRef;
}

/**
 * A typed producer for a source topic. Each send runs the topology until idle.
 *
 * @example
 * ```ts
 * const input = driver.input<BusTelemetry>('bus.telemetry');
 * await input.send(event, { key: event.bus_id });
 * await input.sendAll(events.map((value) => ({ value, key: value.bus_id }))); // one batch per partition
 * await input.sendRaw(Buffer.from('not avro'));                               // → DLQ, reason bad-magic
 * ```
 */
export class TestInputTopic<T> {
  private readonly codecs = new Map<string, Promise<Codec<unknown>>>();

  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
  ) {}

  /** Sends one record and processes it. */
  async send(value: T, options: SendOptions = {}): Promise<void> {
    await this.sendAll([{ value, ...options }]);
  }

  /** Appends every record first, then processes: records of a partition form one batch. */
  async sendAll(records: readonly ({ readonly value: T } & SendOptions)[]): Promise<void> {
    const encoded: { value: Buffer; options: SendOptions }[] = [];
    for (const r of records) {
      const codec = await this.codec(r.schema);
      encoded.push({ value: codec.encode(r.value), options: r });
    }
    for (const { value, options } of encoded) this.append(value, options);
    await this.driver.run();
  }

  /** Sends raw bytes (bad records, foreign producers) and processes them. */
  async sendRaw(value: Buffer | null, options: Omit<SendOptions, 'schema'> = {}): Promise<void> {
    await this.driver.start();
    this.append(value, options);
    await this.driver.run();
  }

  private append(value: Buffer | null, options: SendOptions): void {
    const headers: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k] = Buffer.from(v);
    this.driver.write(
      [
        {
          topic: this.topic,
          partition: options.partition,
          key: options.key === undefined || options.key === null ? null : Buffer.from(options.key),
          value,
          timestamp: options.timestamp ?? this.driver.wallClockMs,
          headers,
        },
      ],
      undefined,
    );
  }

  private codec(schema: SchemaRef | undefined): Promise<Codec<unknown>> {
    const id = schema === undefined ? '' : JSON.stringify(schema);
    let codec = this.codecs.get(id);
    if (codec === undefined) {
      codec = this.driver.codec(this.topic, 'value', schema).then(async (c) => {
        await c.registerWriter();
        return c;
      });
      this.codecs.set(id, codec);
    }
    return codec;
  }
}

/**
 * One decoded output record.
 *
 * @example
 * ```ts
 * const r: TestRecord<Bus> = { key: 'bus-7', value: bus, timestamp: 1700000000000, partition: 0 };
 * ```
 */
export interface TestRecord<T> {
  readonly key: string | null;
  readonly value: T;
  readonly timestamp: number;
  readonly partition: number;
}

/**
 * Reads an output topic, decoded with its schema, in the order written.
 *
 * @example
 * ```ts
 * await driver.output<Bus>('bus.fast').values(); // [{ bus_id: 'b1', speed_kmh: 120, ... }]
 * ```
 */
export class TestOutputTopic<T> {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
  ) {}

  async records(): Promise<TestRecord<T>[]> {
    const records = this.driver.topics.all(this.topic);
    const values = await decodeAll(await this.driver.codec(this.topic, 'value'), records.map((r) => r.value));
    return records.map((r, i) => ({ key: r.key?.toString('utf8') ?? null, value: values[i] as T, timestamp: r.timestamp, partition: r.partition }));
  }

  async values(): Promise<T[]> {
    return (await this.records()).map((r) => r.value);
  }
}

/**
 * Reads a table topic: every record (`history`) or the latest row per key
 * and window (`rows`, tombstones applied). Rows are the table values as
 * written, so they also hold the accumulator state fields that restore
 * uses (`avg_speed__sum`, `avg_speed__count`, `<field>__state`).
 *
 * @example
 * ```ts
 * await driver.table<RouteStats>('bus.route-stats.1m').rows();
 * // [{ route_id: 'R1', window_start: 60000, window_end: 120000, events: 2, avg_speed: 45, ... }]
 * ```
 */
export class TestTable<R> {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
  ) {}

  /** Every record in write order; `value: null` is a tombstone. */
  async history(): Promise<{ readonly key: Record<string, unknown>; readonly value: R | null; readonly partition: number; readonly timestamp: number }[]> {
    const records = this.driver.topics.all(this.topic);
    const keys = await decodeAll(await this.driver.codec(this.topic, 'key'), records.map((r) => r.key));
    const values = await decodeAll(await this.driver.codec(this.topic, 'value'), records.map((r) => r.value));
    return records.map((r, i) => ({
      key: keys[i] as Record<string, unknown>,
      value: (values[i] ?? null) as R | null,
      partition: r.partition,
      timestamp: r.timestamp,
    }));
  }

  /** The latest row per key and window, sorted by key then window start. */
  async rows(): Promise<R[]> {
    const latest = new Map<string, { key: Record<string, unknown>; value: R | null }>();
    for (const record of await this.history()) latest.set(JSON.stringify(record.key), record);
    return [...latest.values()]
      .filter((r) => r.value !== null)
      .sort((a, b) => compareKeys(a.key, b.key))
      .map((r) => r.value as R);
  }
}

/**
 * A dead-letter record: the original bytes plus the decoded error headers.
 *
 * @example
 * ```ts
 * const d: DeadLetter = (await driver.deadLetters('bus.dlq').records())[0]!;
 * d.reason; // 'late'
 * ```
 */
export interface DeadLetter {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly step: string;
  readonly message: string;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: bigint };
}

/**
 * Reads a dead-letter topic.
 *
 * @example
 * ```ts
 * (await driver.deadLetters('bus.telemetry.dlq').records()).map((d) => d.reason); // ['invalid', 'late']
 * ```
 */
export class TestDeadLetterTopic {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
  ) {}

  async records(): Promise<DeadLetter[]> {
    return this.driver.topics.all(this.topic).map((r) => {
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString('utf8')]));
      return {
        key: r.key,
        value: r.value,
        headers,
        reason: headers[ERROR_HEADERS.reason] ?? '',
        step: headers[ERROR_HEADERS.step] ?? '',
        message: headers[ERROR_HEADERS.message] ?? '',
        source: {
          topic: headers[ERROR_HEADERS.sourceTopic] ?? '',
          partition: Number(headers[ERROR_HEADERS.sourcePartition]),
          offset: BigInt(headers[ERROR_HEADERS.sourceOffset] ?? '-1'),
        },
      };
    });
  }
}
