import { describe, expect, test } from 'vitest';
import { ratioChartSvg } from '../../../bench/lib/ratio-chart.js';
import type { ContenderSummary, RatioSummary } from '../../../bench/lib/report.js';
import type { Spread } from '../../../bench/lib/stats.js';

const s = (median: number, min = median, max = median): Spread => ({ median, min, max });
const summary = (contender: string, eventsPerSecond: number, valid = true): ContenderSummary => ({
  contender,
  eventsPerSecond: s(eventsPerSecond, eventsPerSecond * 0.9, eventsPerSecond * 1.1),
  cpuSecondsPerMillion: s(10),
  peakRssMb: s(200),
  valid,
  invalidRounds: valid ? [] : ['round 1: missing k@0'],
});

const RATIOS: readonly RatioSummary[] = [
  { name: 'sluice/kafka-streams', ratio: s(1.2, 1.1, 1.3), rounds: 3 }, // meets its 1.0 target
  { name: 'sluice/ceiling', ratio: s(0.5, 0.45, 0.55), rounds: 3 }, // misses its 0.6 target
  { name: 'sluice/baseline', ratio: s(4, 3, 5), rounds: 3 }, // no target
];
const SUMMARIES: readonly ContenderSummary[] = [summary('ceiling', 200_000), summary('sluice', 100_000), summary('kafka-streams', 80_000, false)];

const GREEN = '#2e7d32';
const RED = '#c62828';

/** The `<rect>` elements of a given fill, in document order, with their widths. */
function bars(svg: string, fills: readonly string[]): { fill: string; width: number }[] {
  return [...svg.matchAll(/<rect [^>]*width="([\d.]+)"[^>]*fill="(#[0-9a-f]{6})"/g)]
    .filter((m) => fills.includes(m[2]!))
    .map((m) => ({ fill: m[2]!, width: Number(m[1]) }));
}

describe('bench ratio chart (SVG)', () => {
  test('one bar per ratio, green where the median meets the target (or there is none), red where it misses', () => {
    const svg = ratioChartSvg('bench', RATIOS, SUMMARIES);
    expect(bars(svg, [GREEN, RED]).map((b) => b.fill)).toEqual([GREEN, RED, GREEN]);
    expect(svg).toContain('1.20×');
    expect(svg).toContain('0.50×');
    // Dashed target marks only for the ratios that have a target.
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
  });

  test('bar lengths are proportional to the medians', () => {
    const [fast, slow] = bars(ratioChartSvg('bench', [RATIOS[0]!, { ...RATIOS[1]!, ratio: s(0.6) }], []), [GREEN, RED]);
    expect(fast!.width / slow!.width).toBeCloseTo(1.2 / 0.6, 6);
  });

  test('one bar per contender for events/s, Sluice highlighted, an invalid one marked', () => {
    const svg = ratioChartSvg('bench', RATIOS, SUMMARIES);
    const rates = bars(svg, ['#1565c0', '#90a4ae']);
    expect(rates.map((b) => b.fill)).toEqual(['#90a4ae', '#1565c0', '#90a4ae']);
    expect(rates[0]!.width / rates[1]!.width).toBeCloseTo(2, 6);
    expect(svg).toContain('kafka-streams (invalid)');
    expect(svg).not.toContain('sluice (invalid)');
    expect(svg).toContain('100,000/s');
  });

  test('escapes text: a title or a name cannot inject markup', () => {
    const svg = ratioChartSvg('<script>alert("x")</script> & co', [{ name: 'a<b>&"c"', ratio: s(1), rounds: 1 }], [summary('<img src=x>', 1)]);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(svg).toContain('&lt;img src=x&gt;');
  });

  test('is one standalone SVG document', () => {
    const svg = ratioChartSvg('bench', RATIOS, SUMMARIES);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
  });
});
