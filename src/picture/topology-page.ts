import type { ChartKind } from './topology-chart.js';

/**
 * What {@link topologyPage} draws.
 *
 * @example
 * ```ts
 * const options: TopologyPageOptions = { title: 'bus-telemetry', mermaid: 'flowchart LR\n  a --> b', mermaidScript: await loadMermaidScript() };
 * ```
 */
export interface TopologyPageOptions {
  /** The heading and the document title (the topology name). */
  readonly title: string;
  /** A line under the heading, e.g. "2 sub-topologies · 5 topics · 2 sinks". */
  readonly subtitle?: string;
  /** The mermaid flowchart to draw. */
  readonly mermaid: string;
  /** The source of `mermaid/dist/mermaid.min.js`, inlined so the page needs no network. */
  readonly mermaidScript: string;
  /** Boxes to explain under the drawing. */
  readonly legend?: readonly ChartKind[];
}

/**
 * Builds one self-contained HTML page that draws a mermaid flowchart with the
 * inlined mermaid library: no network, works opened from `file://`.
 *
 * The page reports its progress for headless renderers: `<body data-state>`
 * becomes `drawn` once the `<svg>` is inside `#diagram`, or `error` with the
 * message in `#error`; `#picture` wraps heading, drawing and legend.
 *
 * @example
 * ```ts
 * const html = topologyPage({ title: 'bus-telemetry', mermaid: chart, mermaidScript: await loadMermaidScript(), legend: TOPOLOGY_LEGEND });
 * writeFileSync('bus-telemetry.html', html);
 * ```
 */
export function topologyPage(options: TopologyPageOptions): string {
  const title = escapeHtml(options.title);
  const subtitle = options.subtitle === undefined ? '' : `\n      <p class="subtitle">${escapeHtml(options.subtitle)}</p>`;
  const legend = options.legend === undefined || options.legend.length === 0 ? '' : `\n    ${legendHtml(options.legend)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sluice topology</title>
<style>${PAGE_CSS}</style>
</head>
<body>
  <main id="picture">
    <header>
      <h1>${title}</h1>${subtitle}
    </header>
    <div id="diagram" role="img" aria-label="${escapeHtml(`topology ${options.title}`)}"></div>
    <pre id="error" hidden></pre>${legend}
  </main>
<script type="application/json" id="chart">${scriptSafeJson(options.mermaid)}</script>
<script>${inlineScript(options.mermaidScript)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<a & "b">'); // '&lt;a &amp; &quot;b&quot;&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// JSON inside <script> ends at the first "</script", and "<!--" changes how the parser reads what follows:
// escaping every "<" (and the JS line separators) keeps any chart text inert.
function scriptSafeJson(value: string): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// The same hazard in a library's source: "\x3C" means "<" in JS strings, regexes and templates alike.
function inlineScript(source: string): string {
  return source.replace(/<(\/?script|!--)/gi, '\\x3C$1');
}

function legendHtml(kinds: readonly ChartKind[]): string {
  const items = kinds.map(
    (k) =>
      `<li><span class="swatch ${k.shape}" style="background:${k.fill};border-color:${k.stroke};border-style:${k.dashed ? 'dashed' : 'solid'}"></span>${escapeHtml(k.label)}</li>`,
  );
  items.push('<li><span class="swatch edge"></span>dead letters</li>');
  return `<ul id="legend">${items.join('')}</ul>`;
}

const PAGE_CSS = `
  :root { color-scheme: light; }
  body { margin: 0; background: #ffffff; color: #0f172a; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
  #picture { display: inline-block; padding: 24px 28px; background: #ffffff; }
  header { margin-bottom: 12px; }
  h1 { margin: 0; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
  h1::before { content: "Sluice topology"; display: block; font-size: 11px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: #64748b; }
  .subtitle { margin: 2px 0 0; color: #475569; }
  #diagram svg { display: block; max-width: none !important; }
  #error { color: #b91c1c; background: #fef2f2; border: 1px solid #fecaca; padding: 12px; white-space: pre-wrap; }
  #legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 16px 0 0; padding: 10px 0 0; border-top: 1px solid #e2e8f0; list-style: none; color: #334155; font-size: 12px; }
  #legend li { display: flex; align-items: center; gap: 6px; }
  .swatch { display: inline-block; width: 18px; height: 12px; border: 1.5px solid; box-sizing: border-box; }
  .swatch.topic { border-radius: 6px / 4px; }
  .swatch.sink { transform: skewX(-18deg); }
  .swatch.edge { height: 0; border: 0; border-top: 2px dashed #dc2626; }
`;

// Runs in the page: draws the chart, then tells a headless renderer it is done (or why not).
const BOOT = `
(function () {
  var body = document.body;
  var chart = JSON.parse(document.getElementById('chart').textContent);
  function fail(error) {
    var box = document.getElementById('error');
    box.textContent = 'Could not draw the topology: ' + (error && error.message ? error.message : String(error));
    box.hidden = false;
    body.dataset.state = 'error';
  }
  try {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      suppressErrorRendering: true,
      theme: 'base',
      htmlLabels: false,
      themeVariables: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif', fontSize: '14px', lineColor: '#64748b', primaryTextColor: '#0f172a' },
      flowchart: { htmlLabels: false, wrappingWidth: 400, curve: 'basis', nodeSpacing: 28, rankSpacing: 44, padding: 12, diagramPadding: 12 }
    });
    mermaid.render('topology-graph', chart).then(function (result) {
      var diagram = document.getElementById('diagram');
      diagram.innerHTML = result.svg;
      var svg = diagram.querySelector('svg');
      var box = svg.viewBox.baseVal;
      // Natural size, so a wide topology stays legible instead of shrinking to the window.
      svg.setAttribute('width', String(Math.ceil(box.width)));
      svg.setAttribute('height', String(Math.ceil(box.height)));
      svg.style.maxWidth = 'none';
      body.dataset.state = 'drawn';
    }, fail);
  } catch (error) {
    fail(error);
  }
})();
`;
