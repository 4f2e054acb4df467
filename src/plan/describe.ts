import { planNodes } from './plan-nodes.js';
import { describeNode, type NodeDescription } from './node-description.js';
import type { TopicPlan, TopologyPlan } from './topology-plan.js';

/**
 * A plan as JSON-ready data: no functions, stable order.
 *
 * @example
 * ```ts
 * describeJson(p).subTopologies[0]?.nodes[0]?.name; // 'bus.telemetry'
 * ```
 */
export interface TopologyDescription {
  readonly topology: string;
  readonly subTopologies: readonly { readonly id: number; readonly inputTopics: readonly string[]; readonly nodes: readonly NodeDescription[] }[];
  readonly topics: readonly TopicPlan[];
  readonly sinks: readonly { readonly name: string; readonly topic: string; readonly kind: string }[];
  readonly warnings: readonly string[];
}

/**
 * Output formats of {@link describe}.
 *
 * @example
 * ```ts
 * describe(p, 'mermaid');
 * ```
 */
export type DescribeFormat = 'text' | 'mermaid' | 'json';

/**
 * The plan as data for `describe --format json`.
 *
 * @example
 * ```ts
 * JSON.stringify(describeJson(plan(busTelemetry)), null, 2);
 * ```
 */
export function describeJson(plan: TopologyPlan): TopologyDescription {
  return {
    topology: plan.topology,
    subTopologies: plan.subTopologies.map((s) => ({ id: s.id, inputTopics: s.inputTopics, nodes: planNodes(s).map(({ node }) => describeNode(node)) })),
    topics: plan.topics,
    sinks: plan.sinks.map((s) => ({ name: s.name, topic: s.topic, kind: s.spec.kind })),
    warnings: plan.warnings,
  };
}

/**
 * Describes a plan, like Kafka Streams' `Topology.describe()`: `text`
 * (default), a `mermaid` flowchart, or `json`.
 *
 * @example
 * ```ts
 * console.log(describe(plan(busTelemetry)));
 * // Topology: bus-telemetry
 * //   Sub-topology: 0
 * //     Source: bus.telemetry (topic: bus.telemetry, schema: bus-telemetry, event time: field timestamp, dead letter: bus.telemetry.dlq)
 * //       --> ranges
 * //     Validate: ranges (dead letter: bus.telemetry.dlq)
 * //       --> by-route
 * //       <-- bus.telemetry
 * //     Repartition: by-route (topic: bus-telemetry.by-route-repartition, schema: bus-telemetry)
 * //       <-- ranges
 * //   Sub-topology: 1
 * //     Source: bus-telemetry.by-route-repartition (topic: bus-telemetry.by-route-repartition, key: route_id, event time: record timestamp)
 * //       --> per-minute
 * //     Window: per-minute (tumbling 1m, grace 30s, emit update, late: dead-letter)
 * //   …
 * //   Sinks:
 * //     route-stats-pg (postgres) <-- bus.route-stats.1m
 * ```
 */
export function describe(plan: TopologyPlan, format: DescribeFormat = 'text'): string {
  switch (format) {
    case 'json':
      return JSON.stringify(describeJson(plan), null, 2);
    case 'mermaid':
      return mermaid(plan);
    case 'text':
      return text(plan);
    default: {
      const never: never = format;
      throw new Error(`unknown describe format "${String(never)}": use text, mermaid or json`);
    }
  }
}

function text(plan: TopologyPlan): string {
  const lines = [`Topology: ${plan.topology}`];
  for (const sub of plan.subTopologies) {
    lines.push(`  Sub-topology: ${sub.id}`);
    for (const { node, parents } of planNodes(sub)) {
      const d = describeNode(node);
      lines.push(`    ${d.label}: ${d.name}${d.details.length > 0 ? ` (${d.details.join(', ')})` : ''}`);
      if (d.next.length > 0) lines.push(`      --> ${d.next.join(', ')}`);
      if (parents.length > 0) lines.push(`      <-- ${parents.join(', ')}`);
    }
  }
  if (plan.sinks.length > 0) {
    lines.push('  Sinks:');
    for (const s of plan.sinks) lines.push(`    ${s.name} (${s.spec.kind}) <-- ${s.topic}`);
  }
  const internal = plan.topics.filter((t) => t.internal || t.compacted);
  if (internal.length > 0) {
    lines.push('  Topics:');
    for (const t of internal) {
      const traits = [t.role, ...(t.compacted ? ['compacted'] : []), ...(t.coPartitionedWith ? [`co-partitioned with ${t.coPartitionedWith}`] : [])];
      lines.push(`    ${t.name} (${traits.join(', ')})`);
    }
  }
  for (const w of plan.warnings) lines.push(`  Warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function mermaid(plan: TopologyPlan): string {
  const ids = new Map<string, string>();
  const id = (key: string): string => {
    let value = ids.get(key);
    if (value === undefined) {
      value = `n${ids.size}`;
      ids.set(key, value);
    }
    return value;
  };
  const quote = (s: string): string => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const t of plan.topics) lines.push(`  ${id(`topic:${t.name}`)}[("${quote(t.name)}")]`);
  for (const sub of plan.subTopologies) {
    lines.push(`  subgraph s${sub.id}["Sub-topology ${sub.id}"]`);
    const nodes = planNodes(sub).map(({ node, parents }) => ({ d: describeNode(node), parents }));
    for (const { d } of nodes) lines.push(`    ${id(`node:${d.name}`)}["${quote(`${d.label}: ${d.name}`)}"]`);
    lines.push('  end');
    for (const source of sub.sources) lines.push(`  ${id(`topic:${source.topic}`)} --> ${id(`node:${source.name}`)}`);
    for (const { d, parents } of nodes) {
      for (const parent of parents) lines.push(`  ${id(`node:${parent}`)} --> ${id(`node:${d.name}`)}`);
      const written = writtenTopic(d);
      if (written !== undefined) lines.push(`  ${id(`node:${d.name}`)} --> ${id(`topic:${written}`)}`);
    }
  }
  for (const s of plan.sinks) {
    lines.push(`  ${id(`sink:${s.name}`)}[/"${quote(`${s.name} (${s.spec.kind})`)}"/]`);
    lines.push(`  ${id(`topic:${s.topic}`)} --> ${id(`sink:${s.name}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

function writtenTopic(d: NodeDescription): string | undefined {
  if (d.kind !== 'RepartitionSinkNode' && d.kind !== 'StreamSinkNode' && d.kind !== 'TableSinkNode') return undefined;
  const topic = d.details.find((x) => x.startsWith('topic: '));
  return topic?.slice('topic: '.length);
}
