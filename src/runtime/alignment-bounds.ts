import type { PlanNode } from '../plan/plan-node.js';
import type { TopologyPlan } from '../plan/topology-plan.js';

/**
 * How one sub-topology's input partitions are kept in step: none may run more
 * than `maxAheadMs` of event time ahead of the slowest one that still has
 * records to read, measured on the event times it writes to `repartitionTopics`
 * (none: on the event times its tasks decode).
 *
 * @example
 * ```ts
 * const a: AlignedSubTopology = { maxAheadMs: 15_000, repartitionTopics: ['bus-telemetry.by-route-repartition'] };
 * ```
 */
export interface AlignedSubTopology {
  readonly maxAheadMs: number;
  readonly repartitionTopics: readonly string[];
}

/**
 * The sub-topologies whose partitions must be aligned in event time, by id.
 *
 * A sub-topology qualifies when it writes to a repartition topic that a
 * windowed sub-topology reads: that downstream task merges records from every
 * upstream partition, and its watermark is the highest event time among them,
 * so an upstream partition running ahead makes the others' records late.
 * So does a sub-topology whose tasks read several topics (`.merge()`) into
 * windows of their own (`repartitionTopics` is then empty: the pace comes
 * from the event times the tasks decode).
 * The default bound is half the smallest `grace` of those windows, which
 * leaves the other half for disorder within a partition and for the event
 * time one processing chunk can advance past the bound. `maxAheadMs` (when
 * given) replaces the derived bound and aligns every sub-topology that
 * writes to a repartition topic, windowed downstream or not.
 *
 * @example
 * ```ts
 * alignmentBounds(plan(busTelemetry)).get(0); // { maxAheadMs: 15000, repartitionTopics: ['bus-telemetry.by-route-repartition'] }
 * ```
 */
export function alignmentBounds(plan: TopologyPlan, maxAheadMs?: number): ReadonlyMap<number, AlignedSubTopology> {
  const readers = new Map<string, PlanNode>();
  for (const sub of plan.subTopologies) for (const source of sub.sources) readers.set(source.topic, source);
  const aligned = new Map<number, AlignedSubTopology>();
  for (const sub of plan.subTopologies) {
    const repartitionTopics = [...new Set(sub.sources.flatMap((source) => collect(source, (node) => (node.kind === 'RepartitionSinkNode' ? node.topic : undefined))))];
    if (repartitionTopics.length === 0) {
      // A task reading several topics into its own windows (`.merge()` then `groupByKey`) is the same case
      // inside one task: an input read ahead of the others makes their records late. Its pace is learned
      // from the event times it decodes.
      if (sub.sources.length < 2) continue;
      const local = Math.min(...sub.sources.flatMap((source) => collect(source, (node) => (node.kind === 'WindowNode' ? node.graceMs : undefined))));
      if (maxAheadMs !== undefined) aligned.set(sub.id, { maxAheadMs, repartitionTopics: [] });
      else if (Number.isFinite(local)) aligned.set(sub.id, { maxAheadMs: Math.floor(local / 2), repartitionTopics: [] });
      continue;
    }
    let grace = Number.POSITIVE_INFINITY;
    for (const topic of repartitionTopics) {
      const reader = readers.get(topic);
      if (reader !== undefined) for (const g of collect(reader, (node) => (node.kind === 'WindowNode' ? node.graceMs : undefined))) grace = Math.min(grace, g);
    }
    if (maxAheadMs !== undefined) aligned.set(sub.id, { maxAheadMs, repartitionTopics });
    else if (Number.isFinite(grace)) aligned.set(sub.id, { maxAheadMs: Math.floor(grace / 2), repartitionTopics });
  }
  return aligned;
}

function collect<T>(root: PlanNode, pick: (node: PlanNode) => T | undefined): T[] {
  const found: T[] = [];
  const stack: PlanNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = pick(node);
    if (value !== undefined) found.push(value);
    // Walked generically: node kinds added later are searched without a change here.
    for (const child of (node as { readonly next?: readonly PlanNode[] }).next ?? []) stack.push(child);
  }
  return found;
}
