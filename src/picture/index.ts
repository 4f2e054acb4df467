/**
 * Pictures of topologies: the mermaid chart styled per node kind, a
 * self-contained HTML page drawing it, and headless-Chromium rendering to
 * SVG or PNG. The only importer of `playwright-core`.
 *
 * @example
 * ```ts
 * import { topologyChart, topologyPage, loadMermaidScript, renderPageToPng } from '../picture/index.js';
 * const html = topologyPage({ title: p.topology, mermaid: topologyChart(describe(p, 'mermaid'), describeJson(p)), mermaidScript: await loadMermaidScript() });
 * const png = await renderPageToPng(html);
 * ```
 * @module
 */
export { topologyChart, chartNodeCount, TOPOLOGY_LEGEND, type ChartKind } from './topology-chart.js';
export { topologyPage, escapeHtml, type TopologyPageOptions } from './topology-page.js';
export { loadMermaidScript } from './mermaid-script.js';
export { topologyPictureHtml } from './topology-picture.js';
export {
  renderHtmlToPng,
  renderPageToSvg,
  renderPageToPng,
  launchChromium,
  chromiumPath,
  ChromiumMissingError,
  PictureError,
  CHROMIUM_ARGS,
  DEFAULT_CHROMIUM,
  type HtmlToPngOptions,
} from './render-in-chromium.js';
