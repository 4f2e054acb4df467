import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RoundOutcome } from './contender.js';
import type { LatencyResult } from './latency-run.js';
import type { SinkBenchResult } from './sink-bench.js';
import { spread, type Spread } from './stats.js';
import type { WorkloadShape } from './workload.js';
import { renderRatioChart } from './ratio-chart.js';

/** Per contender: medians (min, max) over the rounds. */
export interface ContenderSummary {
  readonly contender: string;
  readonly eventsPerSecond: Spread;
  readonly cpuSecondsPerMillion: Spread;
  readonly peakRssMb: Spread;
  /** Every round's output equalled the oracle. */
  readonly valid: boolean;
  readonly invalidRounds: readonly string[];
}

/** Sluice's peak RSS on a quarter of the input and on all of it (median over the rounds). */
export interface MemoryResult {
  readonly events: readonly [number, number];
  readonly peakRssMb: readonly [number, number];
  readonly valid: boolean;
}

/** sluice / other, per round, then the spread. */
export interface RatioSummary {
  readonly name: string;
  readonly ratio: Spread;
  /** Only rounds where both contenders were valid count. */
  readonly rounds: number;
}

function summarise(outcomes: readonly RoundOutcome[]): ContenderSummary[] {
  const names = [...new Set(outcomes.map((o) => o.contender))];
  return names.map((contender) => {
    const mine = outcomes.filter((o) => o.contender === contender);
    return {
      contender,
      eventsPerSecond: spread(mine.map((o) => o.events / o.seconds))!,
      cpuSecondsPerMillion: spread(mine.map((o) => (o.cpuSeconds / o.events) * 1e6))!,
      peakRssMb: spread(mine.map((o) => o.peakRssBytes / 1048576))!,
      valid: mine.every((o) => o.verdict.valid),
      invalidRounds: mine.filter((o) => !o.verdict.valid).map((o) => `round ${o.round}: ${o.verdict.examples.join('; ')}`),
    };
  });
}

function ratios(outcomes: readonly RoundOutcome[]): RatioSummary[] {
  const result: RatioSummary[] = [];
  for (const other of ['kafka-streams', 'ceiling', 'baseline']) {
    const values: number[] = [];
    for (const s of outcomes.filter((o) => o.contender === 'sluice' && o.verdict.valid)) {
      const o = outcomes.find((x) => x.contender === other && x.round === s.round && x.verdict.valid);
      if (o) values.push(s.events / s.seconds / (o.events / o.seconds));
    }
    const r = spread(values);
    if (r) result.push({ name: `sluice/${other}`, ratio: r, rounds: values.length });
  }
  return result;
}

const fmt = (s: Spread, digits = 0): string => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/**
 * Prints the results table, writes `bench/results/<date>.json` and the ratio
 * chart `bench/results/<date>.png`.
 *
 * @example
 * ```ts
 * await writeReport({ runId, shape, rounds: 3, outcomes, resultsDir: 'bench/results', print: console.log, log });
 * ```
 */
export async function writeReport(options: {
  readonly runId: string;
  readonly shape: WorkloadShape;
  readonly rounds: number;
  readonly outcomes: readonly RoundOutcome[];
  readonly memory: MemoryResult | undefined;
  readonly sink: SinkBenchResult | undefined;
  readonly latency: LatencyResult | undefined;
  readonly resultsDir: string;
  readonly print: (line: string) => void;
  readonly log: (line: string) => void;
}): Promise<void> {
  const { print } = options;
  const summaries = summarise(options.outcomes);
  const ratioSummaries = ratios(options.outcomes);
  print('');
  print(`Sluice bench ${options.runId}: ${options.shape.events.toLocaleString('en-US')} events × ${options.rounds} round(s), ${options.shape.partitions} partitions, ${options.shape.keys.toLocaleString('en-US')} keys — medians (min–max)`);
  print('');
  print(`${'contender'.padEnd(14)} ${'events/s'.padEnd(26)} ${'CPU-s per M events'.padEnd(22)} ${'peak RSS MB'.padEnd(18)} valid`);
  for (const s of summaries) {
    print(`${s.contender.padEnd(14)} ${fmt(s.eventsPerSecond).padEnd(26)} ${fmt(s.cpuSecondsPerMillion, 1).padEnd(22)} ${fmt(s.peakRssMb).padEnd(18)} ${s.valid ? 'yes (equal to the oracle)' : `NO — ${s.invalidRounds.join(' | ')}`}`);
  }
  print('');
  for (const r of ratioSummaries) print(`${r.name.padEnd(22)} ${fmt(r.ratio, 2)} over ${r.rounds} valid round(s)`);
  if (options.memory) {
    const m = options.memory;
    print('');
    print(`memory: sluice peak RSS ${m.peakRssMb[0].toFixed(0)} MB on ${m.events[0].toLocaleString('en-US')} events, ${m.peakRssMb[1].toFixed(0)} MB on ${m.events[1].toLocaleString('en-US')} (×${(m.peakRssMb[1] / m.peakRssMb[0]).toFixed(2)} for ×${(m.events[1] / m.events[0]).toFixed(0)} the input)${m.valid ? '' : ' — the small run was NOT equal to the oracle'}`);
  }
  if (options.sink) {
    print('');
    for (const s of options.sink.contenders) {
      print(`sink ${s.name.padEnd(18)} ${s.rowsPerSecond.toFixed(0)} rows/s (${s.rows.toLocaleString('en-US')} table records in ${s.seconds.toFixed(1)} s) ${s.valid ? 'equal to the oracle' : `NOT equal: ${s.detail}`}`);
    }
  }
  if (options.latency) {
    const l = options.latency;
    print('');
    print(`latency at ${l.achievedRate.toFixed(0)} events/s (target ${l.targetRate}) for ${l.seconds} s:`);
    print(`  event → table topic:          p50 ${l.eventToTable.p50?.toFixed(0)} ms, p99 ${l.eventToTable.p99?.toFixed(0)} ms (${l.eventToTable.samples.toLocaleString('en-US')} samples)`);
    print(`  window close → table topic:    p50 ${l.closeToTable.p50?.toFixed(0)} ms, p99 ${l.closeToTable.p99?.toFixed(0)} ms (${l.closeToTable.samples.toLocaleString('en-US')} rows)`);
    print(`  window close → PostgreSQL row: p50 ${l.closeToRow.p50?.toFixed(0)} ms, p99 ${l.closeToRow.p99?.toFixed(0)} ms (${l.closeToRow.samples.toLocaleString('en-US')} rows)`);
  }
  mkdirSync(options.resultsDir, { recursive: true });
  const json = join(options.resultsDir, `${options.runId}.json`);
  writeFileSync(
    json,
    `${JSON.stringify({ runId: options.runId, machine: machineFacts(), shape: options.shape, rounds: options.rounds, summaries, ratios: ratioSummaries, outcomes: options.outcomes, memory: options.memory, sink: options.sink, latency: options.latency }, null, 2)}\n`,
  );
  const png = join(options.resultsDir, `${options.runId}.png`);
  try {
    await renderRatioChart({ title: `Sluice bench ${options.runId} — ${options.shape.events.toLocaleString('en-US')} events`, ratios: ratioSummaries, summaries, file: png });
    print(`\nresults: ${json}\nchart:   ${png}`);
  } catch (error) {
    print(`\nresults: ${json}\nchart not rendered: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function machineFacts(): Record<string, string | number> {
  // Node 20 has no global `navigator`: the CPU count came out as 0 before.
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism(), memoryGb: Math.round(totalmem() / 2 ** 30) };
}
