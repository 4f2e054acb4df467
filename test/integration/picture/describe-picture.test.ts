import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { TopologyDescription } from 'sluice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartNodeCount, launchChromium, loadMermaidScript, PictureError, renderHtmlToPng, renderPageToSvg, topologyPage } from '../../../src/picture/index.js';
import { CliProject } from '../../support/cli-project.js';

// `sluice describe` draws in headless Chromium; these tests need /usr/bin/chromium (Debian's `chromium`) or SLUICE_CHROMIUM.
const root = new URL('../../..', import.meta.url).pathname;
const project = new CliProject('picture-describe');
let description: TopologyDescription;

beforeAll(async () => {
  for (const path of ['topologies/bus-telemetry.ts', 'topologies/types', 'schemas/bus-telemetry.avsc']) cpSync(join(root, path), join(project.dir, path), { recursive: true });
  const json = await project.sluice(['describe', 'bus-telemetry', '--format', 'json']);
  expect(json.code, json.stderr).toBe(0);
  description = JSON.parse(json.stdout) as TopologyDescription;
});

afterAll(() => project.cleanup());

/** What a correct drawing shows in its boxes: every plan node, topic and sink, once. */
function expectedLabels(d: TopologyDescription): string[] {
  return [
    ...d.subTopologies.flatMap((s) => s.nodes.map((n) => `${n.label}: ${n.name}`)),
    ...d.topics.map((t) => t.name),
    ...d.sinks.map((s) => `${s.name} (${s.kind})`),
  ].sort();
}

/** The first text row of each mermaid node group in an SVG (mermaid writes one `g.node` per box). */
function nodeLabels(svg: string): string[] {
  const starts = [...svg.matchAll(/<g class="node[ "]/g)].map((m) => m.index);
  return starts.map((start, i) => {
    const chunk = svg.slice(start, starts[i + 1] ?? svg.length);
    const firstRow = chunk.split('class="text-outer-tspan row"')[1] ?? '';
    return firstRow.replace(/^[^>]*>/, '').replace(/<[^>]*$/, '').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').trim();
  });
}

/** Width, height and the share of pixels that are not white, decoded from the PNG's own bytes (8-bit RGB or RGBA). */
function inspectPng(png: Buffer): { width: number; height: number; inked: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colour] = [png[24], png[25]];
  expect(depth).toBe(8);
  expect([2, 6]).toContain(colour);
  const bpp = colour === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const data = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  expect(data.length).toBe(height * (stride + 1));
  let previous = Buffer.alloc(stride);
  let inked = 0;
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)]!;
    const row = Buffer.from(data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const b = previous[x]!;
      const c = x >= bpp ? previous[x - bpp]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]!;
      row[x] = (row[x]! + predictor) & 0xff;
    }
    for (let x = 0; x < stride; x += bpp) if (row[x] !== 0xff || row[x + 1] !== 0xff || row[x + 2] !== 0xff) inked += 1;
    previous = row;
  }
  return { width, height, inked: inked / (width * height) };
}

describe('sluice describe --format svg|png', () => {
  it('svg: one box per plan node, topic and sink, labelled as in `describe --format json`', async () => {
    const result = await project.sluice(['describe', 'bus-telemetry', '--format', 'svg', '--output', 'bus.svg']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${join(project.dir, 'bus.svg')} (svg,`);
    const svg = readFileSync(join(project.dir, 'bus.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml [^>]*\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toContain('foreignObject');
    const labels = nodeLabels(svg);
    expect(labels).toHaveLength(chartNodeCount(description));
    expect(labels.sort()).toEqual(expectedLabels(description));
    expect(labels).toContain('Validate: speed');
  });

  it('png: a real PNG of plausible size, written to <name>.png without --output', async () => {
    const result = await project.sluice(['describe', 'bus-telemetry', '--format', 'png']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const png = readFileSync(join(project.dir, 'bus-telemetry.png'));
    expect(png.length).toBeGreaterThan(20_000);
    const { width, height, inked } = inspectPng(png);
    // A left-to-right pipeline of ~20 boxes at 2× device pixels: wide, some hundreds of pixels high.
    expect(width).toBeGreaterThan(2_000);
    expect(height).toBeGreaterThan(300);
    expect(width).toBeGreaterThan(height);
    // Mostly white paper, but a blank page would have no ink at all.
    expect(inked).toBeGreaterThan(0.05);
    expect(inked).toBeLessThan(0.9);
  });

  it('without Chromium: exit 1 naming what is missing and how to fix it; html needs no browser', async () => {
    const env = { SLUICE_CHROMIUM: '/nonexistent/chromium' };
    const png = await project.sluice(['describe', 'bus-telemetry', '--format', 'png', '--output', 'missing.png'], env);
    expect(png.code).toBe(1);
    expect(png.stderr).toContain('there is no executable at /nonexistent/chromium (from SLUICE_CHROMIUM)');
    expect(png.stderr).toContain('apt-get install chromium');
    expect(existsSync(join(project.dir, 'missing.png'))).toBe(false);
    const html = await project.sluice(['describe', 'bus-telemetry', '--format', 'html', '--output', 'offline.html'], env);
    expect(html.code, html.stderr).toBe(0);
    expect(readFileSync(join(project.dir, 'offline.html'), 'utf8').startsWith('<!doctype html>')).toBe(true);
  });
});

describe('the html page in headless Chromium', () => {
  it('opened from file://, mermaid draws every box, with no error and no request outside the file', async () => {
    const result = await project.sluice(['describe', 'bus-telemetry', '--format', 'html', '--output', 'bus.html']);
    expect(result.code, result.stderr).toBe(0);
    const url = pathToFileURL(join(project.dir, 'bus.html')).href;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const pageErrors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('body[data-state]', { state: 'attached', timeout: 60_000 });
      expect(await page.evaluate('document.body.dataset.state')).toBe('drawn');
      expect(await page.title()).toBe('bus-telemetry · Sluice topology');
      expect(await page.locator('#diagram svg .node').count()).toBe(chartNodeCount(description));
      expect(await page.locator('#diagram svg .cluster').count()).toBe(description.subTopologies.length);
      expect(await page.locator('#error').isHidden()).toBe(true);
      const text = String(await page.evaluate('document.body.innerText'));
      expect(text).not.toMatch(/error|could not draw/i);
      expect(await page.locator('#diagram svg .node', { hasText: 'Window: per-minute' }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser.close();
    }
  });

  it('a chart mermaid cannot parse is shown as an error on the page and rejected by the renderer', async () => {
    const html = topologyPage({ title: 'broken', mermaid: 'flowchart LR\n  a[[[ --> ', mermaidScript: await loadMermaidScript() });
    const error = await renderPageToSvg(html).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PictureError);
    expect((error as PictureError).message).toMatch(/^Could not draw the topology: .*(Parse error|Syntax error|Expecting)/s);
  });
});

describe('renderHtmlToPng', () => {
  it('screenshots any page, or one element of it, at the given width and pixel scale', async () => {
    const html = '<body style="margin:0"><div id="box" style="width:300px;height:100px;background:#c00"></div></body>';
    const element = inspectPng(await renderHtmlToPng(html, { width: 640, scale: 2, selector: '#box' }));
    expect([element.width, element.height]).toEqual([600, 200]);
    expect(element.inked).toBeGreaterThan(0.3);
    const page = inspectPng(await renderHtmlToPng(html, { width: 640, height: 480, scale: 1 }));
    expect([page.width, page.height]).toEqual([640, 480]);
  });
});
