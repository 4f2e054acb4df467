import { compareKeys, decodeAll } from '../../src/testing/topic-reading.js';
import type { PlanNode } from '../../src/plan/plan-node.js';
import type { TopologyPlan } from '../../src/plan/topology-plan.js';
import type { SchemaRef } from '../../src/plan/topology-spec.js';
import type { SchemaResolver } from '../../src/runtime/codec-set.js';
import { ERROR_HEADERS } from '../../src/runtime/error-headers.js';
import { AvroCodec, type SchemaRegistry } from '../../src/serde/index.js';
import type { DeadLetter } from '../../src/testing/index.js';
import type { KafkaMessage, PartitionReader } from '../../src/kafka/index.js';

/** Where to read from, and how to decode it like the driver does. */
export interface CaseTopicSource {
  readonly reader: PartitionReader;
  readonly registry: SchemaRegistry;
  readonly plan: TopologyPlan;
  readonly resolveSchema: SchemaResolver;
  readonly partitionsOf: (topic: string) => Promise<number>;
  /** Broker topic name → the case's name (dead letters quote the source topic). */
  readonly originals: ReadonlyMap<string, string>;
}

/**
 * Every committed record of a topic in the order the driver's
 * `InMemoryTopics.all()` would list it as far as Kafka can tell: that list is
 * global append order, which a broker only keeps per partition. Partition by
 * partition, in offset order, is identical for one-partition topics — the only
 * kind whose outputs and dead letters the cases assert in order (see
 * `conformance-case.ts`) — and keeps per-key order for the rest.
 */
export async function records(source: CaseTopicSource, topic: string): Promise<KafkaMessage[]> {
  const all: KafkaMessage[] = [];
  const partitions = await source.partitionsOf(topic);
  for (let p = 0; p < partitions; p++) for await (const batch of source.reader.readToEnd(topic, p)) all.push(...batch);
  return all;
}

/** Like the driver's `TestTable.rows()`: latest row per key and window, tombstones applied, sorted by key then window start. */
export async function tableRows(source: CaseTopicSource, topic: string): Promise<unknown[]> {
  const all = await records(source, topic);
  const node = findNode(source.plan, (n) => n.kind === 'TableSinkNode' && n.topic === topic);
  if (node?.kind !== 'TableSinkNode') throw new Error(`${topic} is not a table topic of ${source.plan.topology}`);
  const keys = await decodeAll(codec(source, `${topic}-key`, node.keySchema), all.map((m) => m.key as Buffer));
  const values = await decodeAll(codec(source, `${topic}-value`, node.valueSchema), all.map((m) => m.value));
  // A key always lands in the same partition, so partition-major order keeps each key's own history in order.
  const latest = new Map<string, { key: Record<string, unknown>; value: unknown }>();
  all.forEach((_m, i) => latest.set(JSON.stringify(keys[i]), { key: keys[i] as Record<string, unknown>, value: values[i] ?? null }));
  return [...latest.values()]
    .filter((r) => r.value !== null)
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((r) => r.value);
}

/** Like the driver's `TestOutputTopic.values()`. */
export async function outputValues(source: CaseTopicSource, topic: string): Promise<unknown[]> {
  const all = await records(source, topic);
  const node = findNode(source.plan, (n) => n.kind === 'StreamSinkNode' && n.topic === topic);
  if (node?.kind !== 'StreamSinkNode') throw new Error(`${topic} is not an output topic of ${source.plan.topology}`);
  return decodeAll(codec(source, `${topic}-value`, node.schema), all.map((m) => m.value));
}

/** Like the driver's `TestDeadLetterTopic.records()`, with broker topic names mapped back to the case's. */
export async function deadLetters(source: CaseTopicSource, topic: string): Promise<DeadLetter[]> {
  return (await records(source, topic)).map((m) => {
    const headers: Record<string, string> = {};
    for (const header of m.headers ?? []) for (const [k, v] of Object.entries(header)) headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    // The source topic, and the step when a source step (decoding) failed — a source step is named
    // after its topic — carry this run's renamed topic; the case names the original.
    for (const name of [ERROR_HEADERS.sourceTopic, ERROR_HEADERS.step]) {
      const value = headers[name];
      if (value !== undefined) headers[name] = source.originals.get(value) ?? value;
    }
    return {
      key: m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key),
      value: m.value,
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

function codec(source: CaseTopicSource, subject: string, schema: SchemaRef): AvroCodec<unknown> {
  return new AvroCodec<unknown>({ registry: source.registry, subject, readerSchema: source.resolveSchema(schema) });
}

function findNode(plan: TopologyPlan, match: (node: PlanNode) => boolean): PlanNode | undefined {
  const walk = (node: PlanNode): PlanNode | undefined => {
    if (match(node)) return node;
    for (const child of node.next) {
      const found = walk(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) {
    const found = walk(source);
    if (found !== undefined) return found;
  }
  return undefined;
}
