import { plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { loadMermaidScript, TOPOLOGY_LEGEND, topologyPage, topologyPictureHtml } from '../../../src/picture/index.js';
import busTelemetry from '../../../topologies/bus-telemetry.js';

const FAKE_SCRIPT = 'window.mermaid = { initialize() {}, render() { return Promise.resolve({ svg: "<svg></svg>" }); } };';

/** The JSON the page hands to mermaid, read back the way the browser reads it. */
function chartOf(html: string): string {
  const match = /<script type="application\/json" id="chart">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error('no chart script in the page');
  return JSON.parse(match[1]!) as string;
}

describe('topologyPage', () => {
  test('is one self-contained page: the script inlined, no URL to fetch anything from', () => {
    const html = topologyPage({ title: 'bus-telemetry', mermaid: 'flowchart LR\n  a --> b', mermaidScript: FAKE_SCRIPT, legend: TOPOLOGY_LEGEND });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<script>${FAKE_SCRIPT}</script>`);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain('<title>bus-telemetry · Sluice topology</title>');
    expect(html).toContain('<h1>bus-telemetry</h1>');
    for (const k of TOPOLOGY_LEGEND) expect(html).toContain(k.label);
  });

  test('the mermaid text survives any characters: it cannot end the script or inject markup', () => {
    const evil = 'flowchart LR\n  a["</script><script>alert(1)</script>"] --> b["<!-- & \\" \u2028 <b>x</b>"]';
    const html = topologyPage({ title: '<img onerror=x>&', mermaid: evil, mermaidScript: FAKE_SCRIPT });
    expect(chartOf(html)).toBe(evil);
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).toContain('<h1>&lt;img onerror=x&gt;&amp;</h1>');
    expect(html).not.toContain('\u2028');
  });

  test('an inlined library cannot close its own script element either', () => {
    const html = topologyPage({ title: 't', mermaid: 'flowchart LR', mermaidScript: 'var s = "</script><!-- <SCRIPT>";' });
    expect(html).toContain('<script>var s = "\\x3C/script>\\x3C!-- \\x3CSCRIPT>";</script>');
  });

  test('with the real mermaid build inlined, the page still loads nothing from outside', async () => {
    const script = await loadMermaidScript();
    expect(script.length).toBeGreaterThan(1_000_000);
    const html = await topologyPictureHtml(plan(busTelemetry));
    expect(html.length).toBeGreaterThan(script.length);
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="chart">', '<script>', '<script>']);
    const withoutLibrary = html.replace(/<script>[\s\S]*?<\/script>/, '');
    expect(withoutLibrary.length).toBeLessThan(20_000);
    expect(withoutLibrary).not.toMatch(/https?:/);
    expect(html).toContain('<h1>bus-telemetry</h1>');
    expect(html).toContain('2 sub-topologies · 13 nodes · 5 topics · 2 sinks');
  });
});
