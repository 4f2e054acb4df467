import { describe as describePlan, describeJson, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { chartNodeCount, topologyChart } from '../../../src/picture/index.js';
import busTelemetry from '../../../topologies/bus-telemetry.js';

describe('topologyChart', () => {
  const p = plan(busTelemetry);
  // Only the boxes and data edges: whether the description itself draws edges into the DLQ is varied below.
  const mermaid = describePlan(p, 'mermaid')
    .split('\n')
    .filter((l) => !l.includes('.->'))
    .join('\n');
  const description = describeJson(p);
  const chart = topologyChart(mermaid, description);
  const idOf = (text: string, label: string): string => {
    const line = text.split('\n').find((l) => l.includes(`"${label}"`) || l.includes(`"${label}<br/>`));
    if (line === undefined) throw new Error(`no node "${label}" in\n${text}`);
    return /(n\d+)\[/.exec(line)![1]!;
  };
  const classOf = (id: string): string[] =>
    chart
      .split('\n')
      .filter((l) => /^\s*class /.test(l) && l.trim().split(' ')[1]!.split(',').includes(id))
      .map((l) => l.trim().split(' ')[2]!);
  /** Edge lines in mermaid's order, and the indices `linkStyle` paints red. */
  const edgesOf = (text: string): { edges: string[]; styled: number[] } => {
    const lines = text.split('\n').map((l) => l.trim());
    const linkStyle = lines.find((l) => l.startsWith('linkStyle'));
    return {
      // A chain `a --> b --> c` is two links to mermaid.
      edges: lines.flatMap((l) => Array<string>(l.match(/-->|\.->/g)?.length ?? 0).fill(l)),
      styled: linkStyle === undefined ? [] : linkStyle.split(' ')[1]!.split(',').map(Number),
    };
  };

  test('keeps every line of the mermaid description, in order', () => {
    const lines = chart.split('\n');
    let at = 0;
    for (const line of mermaid.trimEnd().split('\n')) {
      const window = line.includes('Window: ') ? line.replace(/"\]$/, '') : line;
      at = lines.findIndex((l, i) => i >= at && l.startsWith(window));
      expect(at, line).toBeGreaterThanOrEqual(0);
    }
  });

  test('gives every box exactly one class, by kind', () => {
    const id = (label: string): string => idOf(chart, label);
    const boxes = chart.split('\n').filter((l) => /^\s*n\d+\[/.test(l));
    expect(boxes).toHaveLength(chartNodeCount(description));
    for (const box of boxes) expect(classOf(/n\d+/.exec(box)![0]), box).toHaveLength(1);
    expect(classOf(id('bus.telemetry'))).toEqual(['topicSource']);
    expect(classOf(id('bus.telemetry.dlq'))).toEqual(['dlq']);
    expect(classOf(id('bus.route-stats.1m'))).toEqual(['topicTable']);
    expect(classOf(id('bus-telemetry.by-route-repartition'))).toEqual(['topicInternal']);
    expect(classOf(id('bus.telemetry.valid'))).toEqual(['topicStream']);
    expect(classOf(id('Source: bus.telemetry'))).toEqual(['stepSource']);
    expect(classOf(id('Validate: speed'))).toEqual(['step']);
    expect(classOf(id('Window: per-minute'))).toEqual(['stateful']);
    expect(classOf(id('Aggregate: route-stats'))).toEqual(['stateful']);
    expect(classOf(id('Table: bus.route-stats.1m'))).toEqual(['stepWrite']);
    expect(classOf(id('route-stats-pg (postgres)'))).toEqual(['sink']);
  });

  test('without DLQ edges in the description, draws a red dashed one from each dead-lettering step', () => {
    const dlq = idOf(chart, 'bus.telemetry.dlq');
    const { edges, styled } = edgesOf(chart);
    const expected = ['Source: bus.telemetry', 'Validate: speed', 'Validate: load', 'Validate: position'].map((s) => `${idOf(chart, s)} -.-> ${dlq}`);
    expect(edges.filter((e) => e.includes('-.->'))).toEqual(expected);
    expect(styled.map((i) => edges[i])).toEqual(expected);
  });

  test('with DLQ edges in the description (any link syntax), styles those and adds none', () => {
    const dlq = idOf(chart, 'bus.telemetry.dlq');
    const withEdges = mermaid.replace('  subgraph s1', `  n0 --> n5 --> n6\n  s0 -. dead letters .-> ${dlq}\n  subgraph s1`) + `\n  s1 -.->|late| ${dlq}\n`;
    const decorated = topologyChart(withEdges, description);
    const { edges, styled } = edgesOf(decorated);
    expect(edges.filter((e) => e.endsWith(` ${dlq}`))).toEqual([`s0 -. dead letters .-> ${dlq}`, `s1 -.->|late| ${dlq}`]);
    expect(styled.map((i) => edges[i])).toEqual([`s0 -. dead letters .-> ${dlq}`, `s1 -.->|late| ${dlq}`]);
  });

  test('shows a window\'s size and grace under its name', () => {
    expect(chart).toContain('["Window: per-minute<br/>tumbling 1m · grace 30s"]');
  });
});
