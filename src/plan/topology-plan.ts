import type { RepartitionSourceNode, SourceNode } from './plan-node.js';
import type { SinkSpec } from './topology-spec.js';

/**
 * What a topic is for in a topology.
 *
 * @example
 * ```ts
 * plan(t).topics.filter((topic) => topic.role === 'table');
 * ```
 */
export type TopicRole = 'source' | 'repartition' | 'table' | 'changelog' | 'output' | 'dead-letter';

/**
 * A topic the topology reads or writes, and how it must be created.
 *
 * @example
 * ```ts
 * const t: TopicPlan = { name: 'bus-telemetry.by-route-repartition', role: 'repartition', internal: true, compacted: false, coPartitionedWith: undefined };
 * ```
 */
export interface TopicPlan {
  readonly name: string;
  readonly role: TopicRole;
  /** Derived by Sluice (`<topology>.<step>…`): created by `sluice`, never shared. */
  readonly internal: boolean;
  readonly compacted: boolean;
  /** Must have as many partitions as this topic (and is partitioned the same way). */
  readonly coPartitionedWith: string | undefined;
}

/**
 * A unit of parallelism, as in Kafka Streams: one or more co-partitioned input
 * topics, each read by its source node, whose chains may meet (`.merge()`);
 * one task per partition number, reading partition `p` of every input.
 *
 * @example
 * ```ts
 * plan.subTopologies[1]?.inputTopics; // ['bus-telemetry.by-route-repartition']
 * ```
 */
export interface SubTopology {
  readonly id: number;
  /** The topics the sub-topology reads, the first source's first; they must have as many partitions each. */
  readonly inputTopics: readonly string[];
  /** One source node per input topic, in the order of `inputTopics`. */
  readonly sources: readonly (SourceNode | RepartitionSourceNode)[];
  /** Topics whose partition `p` must be restored into task `p` before it processes. */
  readonly changelogTopics: readonly string[];
}

/**
 * An external sink and the topic it reads.
 *
 * @example
 * ```ts
 * const s: SinkPlan = { name: 'route-stats-pg', topic: 'bus.route-stats.1m', spec: { kind: 'postgres' } };
 * ```
 */
export interface SinkPlan {
  readonly name: string;
  readonly topic: string;
  readonly spec: SinkSpec;
}

/**
 * A checked topology, ready to run: frozen plain data. Produced by `plan()`.
 *
 * @example
 * ```ts
 * const p = plan(busTelemetry);
 * p.subTopologies.length; // 2 (before and after the repartition)
 * ```
 */
export interface TopologyPlan {
  readonly topology: string;
  /** Consumer group and transactional-id prefix of the topology's tasks. */
  readonly applicationId: string;
  readonly subTopologies: readonly SubTopology[];
  readonly topics: readonly TopicPlan[];
  readonly sinks: readonly SinkPlan[];
  /** Things that are legal but probably not what was meant. */
  readonly warnings: readonly string[];
}
