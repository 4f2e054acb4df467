import type { TopicRole, TopologyPlan } from '../plan/topology-plan.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, type OutputLimits } from './output-limits.js';
import type { StreamTransport } from './stream-transport.js';

const COMPACTED: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };
const NOT_COMPACTED: Readonly<Record<string, string>> = {};
/**
 * Repartition records are stamped with their event time, which may be old: time
 * retention would delete them before they are consumed. They are kept until
 * the runner has committed past them, then purged (see TopologyRunner).
 */
const REPARTITION: Readonly<Record<string, string>> = { 'cleanup.policy': 'delete', 'retention.ms': '-1' };

/**
 * Room for what Sluice adds to a source record it copies (a dead letter's
 * error headers) or re-encodes (a repartition record's headers), in bytes.
 */
export const HEADER_ALLOWANCE_BYTES = 64 * 1024;

/**
 * Creates the plan's internal, table, output and dead-letter topics with the
 * partition count of the input they are co-partitioned with (a DLQ without a
 * partner gets 1); source topics must exist already.
 *
 * Dead-letter and repartition topics it creates accept what the sources
 * accept: their `max.message.bytes` is the largest of the sources' plus
 * {@link HEADER_ALLOWANCE_BYTES} (twice that for dead letters, which may copy
 * a repartition record). Topics that exist already keep their configs.
 *
 * Resolves with the limit of every topic the plan writes (its
 * `max.message.bytes`, capped by the producer's `message.max.bytes`; Kafka's
 * default for a topic whose config cannot be read), or `undefined` when the
 * transport cannot tell (see `StreamTransport.recordLimits`).
 *
 * @example
 * ```ts
 * const limits = await ensurePlanTopics(plan, transport); // throws naming missing source topics
 * limits?.get('events_dlq'); // 1048588
 * ```
 */
export async function ensurePlanTopics(plan: TopologyPlan, transport: StreamTransport): Promise<OutputLimits | undefined> {
  const sources = plan.topics.filter((t) => t.role === 'source').map((t) => t.name);
  const counts = await transport.partitionCounts(plan.topics.map((t) => t.name));
  const missing = sources.filter((t) => !counts.has(t));
  if (missing.length > 0) {
    throw new Error(
      `topology ${plan.topology}: source topic(s) ${missing.join(', ')} do not exist; create ${missing.length === 1 ? 'it' : 'them'} with ` +
        `${missing.map((t) => `\`sluice topics create ${t} --partitions 3\``).join(', ')} (the partition count bounds how many tasks share the work), ` +
        `then write records as JSON lines with \`sluice produce ${missing[0]} --file records.jsonl\``,
    );
  }
  for (const sub of plan.subTopologies) {
    const first = counts.get(sub.inputTopics[0]!);
    if (sub.inputTopics.some((t) => counts.get(t) !== first)) throw new Error(coPartitioningProblem(plan, sub.inputTopics, (t) => counts.get(t) ?? 0));
  }
  const partitionsOf = (name: string): number => {
    const topic = plan.topics.find((t) => t.name === name);
    if (topic?.coPartitionedWith !== undefined) return partitionsOf(topic.coPartitionedWith);
    return counts.get(name) ?? (topic?.role === 'dead-letter' ? 1 : counts.get(sources[0]!) ?? 1);
  };
  const sourceLimits = await transport.recordLimits?.(sources);
  const sourceMax = Math.max(0, ...sources.map((s) => sourceLimits?.topics.get(s) ?? 0));
  const sized = (role: TopicRole): Readonly<Record<string, string>> => {
    const allowances = sourceMax === 0 ? 0 : role === 'dead-letter' ? 2 : role === 'repartition' ? 1 : 0;
    return allowances === 0 ? {} : { 'max.message.bytes': String(sourceMax + allowances * HEADER_ALLOWANCE_BYTES) };
  };
  const written = plan.topics.filter((t) => t.role !== 'source');
  await transport.ensureTopics(
    written.map((t) => ({
      name: t.name,
      partitions: partitionsOf(t.name),
      config: { ...(t.compacted ? COMPACTED : t.role === 'repartition' ? REPARTITION : NOT_COMPACTED), ...sized(t.role) },
    })),
  );
  const limits = await transport.recordLimits?.(written.map((t) => t.name));
  if (limits === undefined) return undefined;
  return new Map(written.map((t) => [t.name, Math.min(limits.topics.get(t.name) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES, limits.producer)]));
}

/**
 * Why the topics one task reads cannot be read together: they must have as
 * many partitions each (a task reads partition `p` of every one of them, and
 * records with one key must meet in one task).
 *
 * @example
 * ```ts
 * coPartitioningProblem(plan, ['traffic.road-sensors', 'traffic.vehicle-gps'], (t) => counts.get(t) ?? 0);
 * // 'topology traffic-monitoring: traffic.road-sensors (3 partitions) and traffic.vehicle-gps (6 partitions) are merged …'
 * ```
 */
export function coPartitioningProblem(plan: TopologyPlan, topics: readonly string[], partitions: (topic: string) => number): string {
  const listed = topics.map((t) => `${t} (${partitions(t)} partition${partitions(t) === 1 ? '' : 's'})`);
  const most = Math.max(...topics.map(partitions));
  return (
    `topology ${plan.topology}: ${listed.join(' and ')} are read by one task (merged), so they must have as many partitions each ` +
    `(a task reads partition p of every one, and records with one key must meet in one task); ` +
    `give them the same count, e.g. \`kafka-topics --alter --topic <topic> --partitions ${most}\` on the smaller one ` +
    `(records already written keep their partition; re-key them if keys must meet), or read them in separate topologies`
  );
}
