import type { PlanNode } from './plan-node.js';
import type { SubTopology, TopologyPlan } from './topology-plan.js';

/**
 * A plan node and the node it was first reached from (`undefined` for a
 * source). Nodes where chains meet (`.merge()`) have several parents; they
 * are listed once, with `parents` naming each.
 *
 * @example
 * ```ts
 * const n: PlannedNode = { node, parents: ['speeding', 'gps-speed'] };
 * ```
 */
export interface PlannedNode {
  readonly node: PlanNode;
  /** Names of the nodes leading here, in the order they were reached; empty for a source. */
  readonly parents: readonly string[];
}

/**
 * Every node of a sub-topology (or of a whole plan) once, depth first from
 * each source in order, with the nodes leading to it. A plan is a tree per
 * source whose branches may join (a merge node is reached from every merged
 * source), so walking each source's tree alone would visit the shared part
 * twice.
 *
 * @example
 * ```ts
 * planNodes(plan(trafficMerged)).map(({ node }) => node.name);
 * // ['traffic.road-sensors', 'sensor-speed', 'all-speeds', 'by-segment', …, 'traffic.vehicle-gps', 'gps-speed']
 * ```
 */
export function planNodes(scope: TopologyPlan | SubTopology): PlannedNode[] {
  const roots = 'subTopologies' in scope ? scope.subTopologies.flatMap((s) => s.sources) : scope.sources;
  const parents = new Map<PlanNode, string[]>();
  const order: PlanNode[] = [];
  const visit = (node: PlanNode, parent: string | undefined): void => {
    const known = parents.get(node);
    if (known !== undefined) {
      if (parent !== undefined) known.push(parent);
      return;
    }
    parents.set(node, parent === undefined ? [] : [parent]);
    order.push(node);
    for (const child of node.next as readonly PlanNode[]) visit(child, node.name);
  };
  for (const root of roots) visit(root, undefined);
  return order.map((node) => ({ node, parents: parents.get(node)! }));
}
