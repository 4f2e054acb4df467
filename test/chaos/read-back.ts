/**
 * Reading outputs back for the oracle, with nothing of Sluice's own code: the
 * librdkafka binding directly (read_committed, outside any group), avsc and
 * the registry's HTTP API. Sluice's restore reader and codecs are under test,
 * so the oracle does not lean on them.
 */
import rdkafka from '@confluentinc/kafka-javascript';
import avro from 'avsc';

/** One record as read back: bytes, headers as strings. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: ReadonlyMap<string, string>;
}

type Consumer = InstanceType<typeof rdkafka.KafkaConsumer>;

function connect(bootstrapServers: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<Consumer> {
  const client = new rdkafka.KafkaConsumer(
    {
      'bootstrap.servers': bootstrapServers,
      'group.id': `chaos-oracle-${process.pid}`,
      'enable.auto.commit': false,
      'isolation.level': isolation,
      'fetch.max.bytes': 52_428_800,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  return new Promise((resolve, reject) => client.connect({ timeout: 30_000 }, (error) => (error ? reject(new Error(`oracle reader: ${error.message}`)) : resolve(client))));
}

function disconnect(client: Consumer): Promise<void> {
  return new Promise((resolve) => client.disconnect(() => resolve()));
}

/** Partition count of a topic; 0 when the broker does not list it. */
export async function partitionCount(bootstrapServers: string, topic: string): Promise<number> {
  const client = await connect(bootstrapServers, 'read_committed');
  try {
    const metadata = await new Promise<rdkafka.Metadata>((resolve, reject) =>
      client.getMetadata({ topic, timeout: 30_000 }, (error, data) => (error ? reject(new Error(`metadata of ${topic}: ${error.message}`)) : resolve(data))),
    );
    const t = metadata.topics.find((x) => x.name === topic);
    return t === undefined || t.partitions.length === 0 ? 0 : t.partitions.length;
  } catch {
    return 0;
  } finally {
    await disconnect(client);
  }
}

function watermarks(client: Consumer, topic: string, partition: number): Promise<{ low: number; high: number }> {
  return new Promise((resolve, reject) =>
    client.queryWatermarkOffsets(topic, partition, 30_000, (error, o) => (error ? reject(new Error(`watermarks of ${topic}[${partition}]: ${error.message}`)) : resolve({ low: o.lowOffset, high: o.highOffset }))),
  );
}

/**
 * Every committed record of every partition of `topic`, in offset order per
 * partition: read_committed up to the last stable offset. Also says how many
 * offsets lie past it (an open transaction: the run has not settled).
 */
export async function readTopicBack(bootstrapServers: string, topic: string, options: { stallMs?: number } = {}): Promise<{ records: ReadRecord[]; openTransactionOffsets: number }> {
  const partitions = await partitionCount(bootstrapServers, topic);
  if (partitions === 0) return { records: [], openTransactionOffsets: 0 };
  const client = await connect(bootstrapServers, 'read_committed');
  const uncommitted = await connect(bootstrapServers, 'read_uncommitted');
  const records: ReadRecord[] = [];
  let openTransactionOffsets = 0;
  try {
    const ends = new Map<number, number>();
    const assign: { topic: string; partition: number; offset: number }[] = [];
    for (let p = 0; p < partitions; p++) {
      const { low, high } = await watermarks(client, topic, p);
      const hw = (await watermarks(uncommitted, topic, p)).high;
      openTransactionOffsets += Math.max(0, hw - high);
      if (high > low) {
        ends.set(p, high);
        assign.push({ topic, partition: p, offset: low });
      }
    }
    if (assign.length === 0) return { records, openTransactionOffsets };
    client.assign(assign);
    client.setDefaultConsumeTimeout(200);
    const positions = new Map(assign.map((a) => [a.partition, a.offset]));
    const done = (): boolean => [...ends].every(([p, end]) => (positions.get(p) ?? 0) >= end);
    let progressAt = Date.now();
    const stallMs = options.stallMs ?? 60_000;
    while (!done()) {
      const batch = await new Promise<rdkafka.Message[]>((resolve, reject) => client.consume(10_000, (error, m) => (error ? reject(new Error(`reading ${topic}: ${error.message}`)) : resolve(m))));
      for (const m of batch) {
        const end = ends.get(m.partition);
        if (end === undefined || m.offset >= end) continue;
        records.push({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          key: m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key),
          value: m.value ?? null,
          timestamp: m.timestamp ?? 0,
          headers: headerMap(m.headers),
        });
        positions.set(m.partition, Math.max(positions.get(m.partition) ?? 0, m.offset + 1));
      }
      if (batch.length > 0) progressAt = Date.now();
      // Aborted records and transaction markers are never delivered: the fetch position tells.
      for (const tp of client.position(assign.map(({ topic: t, partition }) => ({ topic: t, partition })))) {
        if (typeof tp.offset === 'number' && tp.offset > (positions.get(tp.partition) ?? 0)) {
          positions.set(tp.partition, tp.offset);
          progressAt = Date.now();
        }
      }
      if (Date.now() - progressAt > stallMs) throw new Error(`reading ${topic} back made no progress for ${stallMs} ms`);
    }
  } finally {
    await disconnect(client);
    await disconnect(uncommitted);
  }
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return { records, openTransactionOffsets };
}

function headerMap(headers: rdkafka.MessageHeader[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of headers ?? []) for (const [k, v] of Object.entries(h)) out.set(k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return out;
}

/** Writer schemas by id from the registry (Confluent API), parsed by avsc; `undefined` for an id it does not know (404). */
export class RegistrySchemas {
  readonly #cache = new Map<number, Promise<avro.Type | undefined>>();

  constructor(private readonly url: string) {}

  get(id: number): Promise<avro.Type | undefined> {
    let entry = this.#cache.get(id);
    if (entry === undefined) this.#cache.set(id, (entry = this.#fetch(id)));
    return entry;
  }

  async #fetch(id: number): Promise<avro.Type | undefined> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.url}/schemas/ids/${id}`).catch((error: unknown) => error as Error);
      if (!(response instanceof Error)) {
        if (response.status === 404) return undefined;
        if (response.ok) {
          const body = (await response.json()) as { schema: string };
          return avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema, { wrapUnions: false });
        }
      }
      if (attempt >= 5) throw new Error(`registry: schema id ${id}: ${response instanceof Error ? response.message : `HTTP ${response.status}`}`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }

  /** Decodes a Confluent wire-format payload of a record Sluice wrote (an output): throws when it does not decode. */
  async decodeOutput(buf: Buffer, what: string): Promise<Record<string, unknown>> {
    if (buf.length < 5 || buf[0] !== 0) throw new Error(`${what}: not Confluent wire format`);
    const type = await this.get(buf.readInt32BE(1));
    if (type === undefined) throw new Error(`${what}: schema id ${buf.readInt32BE(1)} unknown to the registry`);
    return type.fromBuffer(buf.subarray(5)) as Record<string, unknown>;
  }
}
