import { writeFileSync } from 'node:fs';
import type { ContenderSummary, RatioSummary } from './report.js';

const TARGETS: Readonly<Record<string, number>> = { 'sluice/kafka-streams': 1.0, 'sluice/ceiling': 0.6 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/**
 * The ratio chart as an SVG: one horizontal bar per ratio (median), a whisker
 * from min to max, and the target as a dashed mark; below it, events/s
 * per contender.
 *
 * @example
 * ```ts
 * const svg = ratioChartSvg('bench', ratios, summaries);
 * ```
 */
export function ratioChartSvg(title: string, ratios: readonly RatioSummary[], summaries: readonly ContenderSummary[]): string {
  const width = 900;
  const left = 190;
  const barArea = width - left - 60;
  const rowHeight = 46;
  // The axis fits the ratios near the targets; a far larger one (the baseline's) is drawn clipped with its value.
  const maxRatio = Math.max(1.2, ...ratios.filter((r) => r.ratio.max <= 3).map((r) => r.ratio.max * 1.1));
  const maxRate = Math.max(1, ...summaries.map((s) => s.eventsPerSecond.max * 1.1));
  const ratioTop = 70;
  const rateTop = ratioTop + ratios.length * rowHeight + 70;
  const height = rateTop + summaries.length * rowHeight + 40;
  const x = (value: number, max: number): number => left + (value / max) * barArea;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="14">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="32" font-size="18" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="20" y="${ratioTop - 12}" font-weight="bold">Throughput ratios (median, min–max over rounds; dashed: target)</text>`,
  ];
  ratios.forEach((r, i) => {
    const y = ratioTop + i * rowHeight;
    parts.push(`<text x="20" y="${y + 24}">${escapeXml(r.name)}</text>`);
    const clip = (v: number): number => Math.min(v, maxRatio);
    const clipped = r.ratio.median > maxRatio;
    parts.push(`<rect x="${left}" y="${y + 8}" width="${x(clip(r.ratio.median), maxRatio) - left}" height="24" fill="${r.ratio.median >= (TARGETS[r.name] ?? 0) ? '#2e7d32' : '#c62828'}"/>`);
    if (!clipped) parts.push(`<line x1="${x(r.ratio.min, maxRatio)}" x2="${x(r.ratio.max, maxRatio)}" y1="${y + 20}" y2="${y + 20}" stroke="black" stroke-width="2"/>`);
    parts.push(
      clipped
        ? `<text x="${x(maxRatio, maxRatio) - 8}" y="${y + 25}" font-size="13" fill="white" text-anchor="end">${r.ratio.median.toFixed(2)}× (off the axis)</text>`
        : `<text x="${x(r.ratio.median, maxRatio) + 8}" y="${y + 6}" font-size="12">${r.ratio.median.toFixed(2)}×</text>`,
    );
    const target = TARGETS[r.name];
    if (target !== undefined) parts.push(`<line x1="${x(target, maxRatio)}" x2="${x(target, maxRatio)}" y1="${y + 2}" y2="${y + 38}" stroke="black" stroke-dasharray="4 3"/>`);
  });
  parts.push(`<line x1="${x(1, maxRatio)}" x2="${x(1, maxRatio)}" y1="${ratioTop}" y2="${ratioTop + ratios.length * rowHeight}" stroke="#999"/>`);
  parts.push(`<text x="${x(1, maxRatio) - 8}" y="${ratioTop + ratios.length * rowHeight + 16}" font-size="12" fill="#666">1×</text>`);
  parts.push(`<text x="20" y="${rateTop - 12}" font-weight="bold">Events/s to drain the topic (median, min–max)</text>`);
  summaries.forEach((s, i) => {
    const y = rateTop + i * rowHeight;
    parts.push(`<text x="20" y="${y + 24}">${escapeXml(s.contender)}${s.valid ? '' : ' (invalid)'}</text>`);
    parts.push(`<rect x="${left}" y="${y + 8}" width="${x(s.eventsPerSecond.median, maxRate) - left}" height="24" fill="${s.contender === 'sluice' ? '#1565c0' : '#90a4ae'}"/>`);
    parts.push(`<line x1="${x(s.eventsPerSecond.min, maxRate)}" x2="${x(s.eventsPerSecond.max, maxRate)}" y1="${y + 20}" y2="${y + 20}" stroke="black" stroke-width="2"/>`);
    parts.push(`<text x="${x(s.eventsPerSecond.median, maxRate) + 8}" y="${y + 6}" font-size="12">${Math.round(s.eventsPerSecond.median).toLocaleString('en-US')}/s</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Renders the chart to PNG in headless Chromium (locally, no network), and
 * writes the SVG next to it.
 *
 * @example
 * ```ts
 * await renderRatioChart({ title, ratios, summaries, file: 'bench/results/x.png' });
 * ```
 */
export async function renderRatioChart(options: {
  readonly title: string;
  readonly ratios: readonly RatioSummary[];
  readonly summaries: readonly ContenderSummary[];
  readonly file: string;
}): Promise<void> {
  const svg = ratioChartSvg(options.title, options.ratios, options.summaries);
  writeFileSync(options.file.replace(/\.png$/, '.svg'), svg);
  const { renderHtmlToPng } = await import('../../src/picture/index.js');
  const png = await renderHtmlToPng(`<!doctype html><html><body style="margin:0">${svg}</body></html>`, { width: 900, selector: 'svg' });
  writeFileSync(options.file, png);
}
