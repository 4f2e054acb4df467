import type { TopologyPlan } from '../plan/topology-plan.js';
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
 * Creates the plan's internal, table, output and dead-letter topics with the
 * partition count of the input they are co-partitioned with (a DLQ without a
 * partner gets 1); source topics must exist already.
 *
 * @example
 * ```ts
 * await ensurePlanTopics(plan, transport); // throws naming missing source topics
 * ```
 */
export async function ensurePlanTopics(plan: TopologyPlan, transport: StreamTransport): Promise<void> {
  const sources = plan.topics.filter((t) => t.role === 'source').map((t) => t.name);
  const counts = await transport.partitionCounts(plan.topics.map((t) => t.name));
  const missing = sources.filter((t) => !counts.has(t));
  if (missing.length > 0) {
    throw new Error(`topology ${plan.topology}: source topic(s) ${missing.join(', ')} do not exist; create them (or run \`sluice generate ${plan.topology}\`)`);
  }
  const partitionsOf = (name: string): number => {
    const topic = plan.topics.find((t) => t.name === name);
    if (topic?.coPartitionedWith !== undefined) return partitionsOf(topic.coPartitionedWith);
    return counts.get(name) ?? (topic?.role === 'dead-letter' ? 1 : counts.get(sources[0]!) ?? 1);
  };
  await transport.ensureTopics(
    plan.topics
      .filter((t) => t.role !== 'source')
      .map((t) => ({ name: t.name, partitions: partitionsOf(t.name), config: t.compacted ? COMPACTED : t.role === 'repartition' ? REPARTITION : NOT_COMPACTED })),
  );
}
