import { describe, describeJson } from '../plan/describe.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import { loadMermaidScript } from './mermaid-script.js';
import { TOPOLOGY_LEGEND, topologyChart } from './topology-chart.js';
import { topologyPage } from './topology-page.js';

/**
 * The self-contained HTML page picturing a planned topology: its mermaid
 * description styled per node kind, titled with its name, with a legend.
 * Render it with `renderPageToSvg` / `renderPageToPng`, or open it as a file.
 *
 * @example
 * ```ts
 * writeFileSync('bus-telemetry.html', await topologyPictureHtml(plan(busTelemetry)));
 * ```
 */
export async function topologyPictureHtml(plan: TopologyPlan): Promise<string> {
  const description = describeJson(plan);
  const steps = description.subTopologies.reduce((n, s) => n + s.nodes.length, 0);
  const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  return topologyPage({
    title: plan.topology,
    subtitle: [count(description.subTopologies.length, 'sub-topology', 'sub-topologies'), count(steps, 'node'), count(description.topics.length, 'topic'), count(description.sinks.length, 'sink')].join(' · '),
    mermaid: topologyChart(describe(plan, 'mermaid'), description),
    mermaidScript: await loadMermaidScript(),
    legend: TOPOLOGY_LEGEND,
  });
}
