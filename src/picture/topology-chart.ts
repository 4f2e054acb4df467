import type { TopologyDescription } from '../plan/describe.js';
import type { TopicRole } from '../plan/topology-plan.js';

/**
 * A kind of box in the topology picture, with the colours its mermaid
 * `classDef` and the page's legend share.
 *
 * @example
 * ```ts
 * TOPOLOGY_LEGEND.find((k) => k.className === 'dlq')?.label; // 'dead-letter topic'
 * ```
 */
export interface ChartKind {
  readonly className: string;
  readonly label: string;
  readonly shape: 'topic' | 'step' | 'sink';
  readonly fill: string;
  readonly stroke: string;
  readonly text: string;
  readonly dashed: boolean;
}

const kind = (className: string, label: string, shape: ChartKind['shape'], fill: string, stroke: string, text: string, dashed = false): ChartKind => ({
  className,
  label,
  shape,
  fill,
  stroke,
  text,
  dashed,
});

/**
 * Every kind of box the picture draws, in legend order.
 *
 * @example
 * ```ts
 * TOPOLOGY_LEGEND.map((k) => k.label); // ['source topic', 'stream topic', …]
 * ```
 */
export const TOPOLOGY_LEGEND: readonly ChartKind[] = [
  kind('topicSource', 'source topic', 'topic', '#dbeafe', '#2563eb', '#1e3a8a'),
  kind('topicStream', 'stream topic', 'topic', '#cffafe', '#0891b2', '#164e63'),
  kind('topicInternal', 'internal topic', 'topic', '#f1f5f9', '#64748b', '#334155', true),
  kind('topicTable', 'table topic (compacted)', 'topic', '#dcfce7', '#16a34a', '#14532d'),
  kind('dlq', 'dead-letter topic', 'topic', '#fee2e2', '#dc2626', '#7f1d1d'),
  kind('stepSource', 'source step', 'step', '#eff6ff', '#2563eb', '#1e3a8a'),
  kind('step', 'step', 'step', '#ffffff', '#475569', '#0f172a'),
  kind('stateful', 'stateful step (window, aggregate, track)', 'step', '#fef3c7', '#d97706', '#78350f'),
  kind('stepWrite', 'write (table, stream, repartition)', 'step', '#f0fdf4', '#16a34a', '#14532d'),
  kind('sink', 'sink (database)', 'sink', '#ede9fe', '#7c3aed', '#4c1d95'),
];

// How node details name the topic a step dead-letters to.
const DEAD_LETTER = /^(?:dead letter|rejects to): (.+)$/;

const DLQ_EDGE = 'stroke:#dc2626,stroke-width:1.5px,stroke-dasharray:5 4';

const topicClass: Readonly<Record<TopicRole, string>> = {
  source: 'topicSource',
  output: 'topicStream',
  repartition: 'topicInternal',
  changelog: 'topicInternal',
  table: 'topicTable',
  'dead-letter': 'dlq',
};

const stepClass: Readonly<Record<string, string>> = {
  Source: 'stepSource',
  Validate: 'step',
  Pipe: 'step',
  Branch: 'step',
  Split: 'step',
  Arm: 'step',
  Group: 'step',
  Window: 'stateful',
  Track: 'stateful',
  Aggregate: 'stateful',
  Repartition: 'stepWrite',
  Table: 'stepWrite',
  Sink: 'stepWrite',
};

// The three node shapes `describe(plan, 'mermaid')` writes: topic cylinders, step boxes, sink parallelograms.
const TOPIC = /^\s*(n\d+)\[\("(.*)"\)\]$/;
const STEP = /^\s*(n\d+)\["(.*)"\]$/;
const SINK = /^\s*(n\d+)\[\/"(.*)"\/\]$/;

/**
 * Turns the mermaid text of `describe(plan, 'mermaid')` into the picture's
 * chart: the same nodes and edges, plus a class per node kind (source, steps,
 * state, DLQ, table topics, sinks — the colours of {@link TOPOLOGY_LEGEND})
 * and dashed red edges from every step that dead-letters to its DLQ topic.
 *
 * Why decorate the text instead of drawing from the plan again: the picture
 * then shows exactly what `--format mermaid` prints, and cannot drift from it.
 *
 * @example
 * ```ts
 * const chart = topologyChart(describe(p, 'mermaid'), describeJson(p));
 * chart.includes('class n1 dlq'); // true for bus-telemetry's bus.telemetry.dlq
 * ```
 */
export function topologyChart(mermaid: string, description: TopologyDescription): string {
  const lines = mermaid.replace(/\n+$/, '').split('\n');
  const roles = new Map(description.topics.map((t) => [t.name, t.role]));
  const topicIds = new Map<string, string>();
  const stepIds = new Map<string, string>();
  const classes = new Map<string, string[]>();
  const assign = (className: string, id: string): void => {
    classes.set(className, [...(classes.get(className) ?? []), id]);
  };
  let edges = 0;
  // Existing edges into each topic, by mermaid's link index (what `linkStyle` counts).
  const edgesInto = new Map<string, number[]>();
  for (const line of lines) {
    const links = linkCount(line);
    if (links > 0) {
      const target = /(\S+)\s*$/.exec(line)![1]!;
      edgesInto.set(target, [...(edgesInto.get(target) ?? []), edges + links - 1]);
      edges += links;
      continue;
    }
    const topic = TOPIC.exec(line);
    if (topic) {
      const name = unquote(topic[2]!);
      topicIds.set(name, topic[1]!);
      assign(topicClass[roles.get(name) ?? 'output'], topic[1]!);
      continue;
    }
    const sink = SINK.exec(line);
    if (sink) {
      assign('sink', sink[1]!);
      continue;
    }
    const step = STEP.exec(line);
    if (step) {
      const label = unquote(step[2]!);
      stepIds.set(label, step[1]!);
      assign(stepClass[label.slice(0, label.indexOf(':'))] ?? 'step', step[1]!);
    }
  }
  const windows = new Map<string, readonly string[]>(
    description.subTopologies.flatMap((sub) => sub.nodes.filter((n) => n.kind === 'WindowNode').map((n) => [`${n.label}: ${n.name}`, n.details] as const)),
  );
  const out = lines.map((line) => {
    // A window's size and grace say more at a glance than its name: a second line under it.
    const step = STEP.exec(line);
    const details = step === null ? undefined : windows.get(unquote(step[2]!));
    return details === undefined ? line : line.replace(/"\]$/, `<br/>${quote(details.slice(0, 2).join(' · '))}"]`);
  });
  const dlqIds = new Set(classes.get('dlq') ?? []);
  // Edges the description already draws into a DLQ are styled; a DLQ without any gets one from each step that feeds it.
  const dlqEdges = [...dlqIds].flatMap((id) => edgesInto.get(id) ?? []);
  for (const sub of description.subTopologies) {
    for (const node of sub.nodes) {
      const from = stepIds.get(`${node.label}: ${node.name}`);
      const dlq = DEAD_LETTER.exec(node.details.find((d) => DEAD_LETTER.test(d)) ?? '')?.[1];
      const to = dlq === undefined ? undefined : topicIds.get(dlq);
      if (from === undefined || to === undefined || edgesInto.has(to)) continue;
      out.push(`  ${from} -.-> ${to}`);
      dlqEdges.push(edges);
      edges += 1;
    }
  }
  for (const k of TOPOLOGY_LEGEND) {
    const style = [`fill:${k.fill}`, `stroke:${k.stroke}`, `color:${k.text}`, 'stroke-width:1.5px', ...(k.dashed ? ['stroke-dasharray:4 3'] : [])];
    out.push(`  classDef ${k.className} ${style.join(',')}`);
    const ids = classes.get(k.className);
    if (ids !== undefined) out.push(`  class ${ids.join(',')} ${k.className}`);
  }
  for (const sub of description.subTopologies) out.push(`  style s${sub.id} fill:#f8fafc,stroke:#cbd5e1,color:#475569`);
  if (dlqEdges.length > 0) out.push(`  linkStyle ${dlqEdges.sort((a, b) => a - b).join(',')} ${DLQ_EDGE}`);
  return `${out.join('\n')}\n`;
}

/**
 * How many boxes the chart of a description has: one per plan node, topic
 * and sink — what a correct drawing must show.
 *
 * @example
 * ```ts
 * chartNodeCount(describeJson(plan(busTelemetry))); // 22
 * ```
 */
export function chartNodeCount(description: TopologyDescription): number {
  const nodes = description.subTopologies.reduce((n, s) => n + s.nodes.length, 0);
  return nodes + description.topics.length + description.sinks.length;
}

/**
 * How many links a mermaid line draws (`-->`, `-.->`, `-. text .->`, `==>`, `---`, chains), ignoring quoted
 * labels and `|edge text|`: the count `linkStyle` indices are based on.
 */
function linkCount(line: string): number {
  const bare = line.replace(/"[^"]*"/g, '""').replace(/\|[^|]*\|/g, '');
  return bare.match(/-{2,}[>ox]|\.-+>|={2,}>|-{3,}|={3,}|~{3,}/g)?.length ?? 0;
}

function quote(text: string): string {
  return text.replace(/"/g, '#quot;');
}

function unquote(label: string): string {
  return label.replace(/#quot;/g, '"');
}
