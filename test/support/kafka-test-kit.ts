import { BatchConsumer, PartitionReader, RecordProducer, type KafkaMessage } from '../../src/kafka/index.js';
import { AvroCodec, HttpSchemaRegistry, type AvroSchema } from '../../src/serde/index.js';

/** Every committed record of a topic (all partitions), read outside any group. */
export async function readTopic(bootstrapServers: string, topic: string, partitions: number): Promise<KafkaMessage[]> {
  const reader = await PartitionReader.connect({ 'bootstrap.servers': bootstrapServers });
  const all: KafkaMessage[] = [];
  try {
    for (let p = 0; p < partitions; p++) for await (const batch of reader.readToEnd(topic, p)) all.push(...batch);
  } finally {
    await reader.close();
  }
  return all;
}

/** A decoder for a subject, with the latest registered schema as reader schema. */
export async function latestCodec<T>(registryUrl: string, subject: string): Promise<AvroCodec<T>> {
  const registry = new HttpSchemaRegistry({ url: registryUrl });
  const latest = await registry.getLatest(subject);
  if (!latest) throw new Error(`nothing registered under ${subject}`);
  return new AvroCodec<T>({ registry, subject, readerSchema: latest.schema });
}

/** Decodes the latest value per key of a compacted table topic (tombstones delete), keyed by the JSON of the decoded key. */
export async function readTable<K, V>(bootstrapServers: string, registryUrl: string, topic: string, partitions: number): Promise<Map<string, { key: K; value: V }>> {
  const messages = await readTopic(bootstrapServers, topic, partitions);
  const table = new Map<string, { key: K; value: V }>();
  if (messages.length === 0) return table;
  const keys = await latestCodec<K>(registryUrl, `${topic}-key`);
  const values = await latestCodec<V>(registryUrl, `${topic}-value`);
  await keys.prepare(messages.map((m) => m.key as Buffer));
  await values.prepare(messages.map((m) => m.value));
  for (const m of messages) {
    const key = keys.decode(m.key as Buffer);
    if (!key.ok) throw new Error(`table key at ${m.partition}@${m.offset} did not decode: ${key.message}`);
    const id = JSON.stringify(key.value);
    if (m.value === null) {
      table.delete(id);
      continue;
    }
    const value = values.decode(m.value);
    if (!value.ok) throw new Error(`table value at ${m.partition}@${m.offset} did not decode: ${value.message}`);
    table.set(id, { key: key.value, value: value.value });
  }
  return table;
}

/** Registers `schema` under `<topic>-value` and produces the values (keyed) in Confluent wire format. */
export async function produceAvro<T>(
  bootstrapServers: string,
  registryUrl: string,
  topic: string,
  schema: AvroSchema,
  records: readonly { key: string; value: T; raw?: Buffer }[],
): Promise<void> {
  const codec = new AvroCodec<T>({ registry: new HttpSchemaRegistry({ url: registryUrl }), subject: `${topic}-value`, readerSchema: schema });
  await codec.registerWriter();
  const producer = await RecordProducer.connect({ 'bootstrap.servers': bootstrapServers });
  try {
    for (let i = 0; i < records.length; i += 10_000) {
      await producer.produceAll(
        records.slice(i, i + 10_000).map((r) => ({ topic, key: Buffer.from(r.key), value: r.raw ?? codec.encode(r.value) })),
      );
    }
  } finally {
    await producer.close();
  }
}

/**
 * Polls `check` until it returns undefined (done) or the deadline passes; returns the last complaint.
 * A check that throws (a broker still electing leaders after a restart) counts as "not yet".
 */
export async function eventually(check: () => Promise<string | undefined>, timeoutMs: number, intervalMs = 1_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let complaint: string | undefined = 'not checked yet';
  while (Date.now() < deadline) {
    complaint = await check().catch((error: unknown) => `check failed: ${error instanceof Error ? error.message : String(error)}`);
    if (complaint === undefined) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return complaint;
}

export type { KafkaMessage };
export { BatchConsumer };
