import { join } from 'node:path';
import pg from 'pg';
import { baselineCommand, checkBaselinePrerequisites, parseBaselineResult } from '../contenders/baseline.js';
import { ceilingCommand, parseCeilingResult } from '../contenders/ceiling.js';
import { ContenderProcess } from './contender-process.js';
import type { Contender, RoundContext, RoundOutcome } from './contender.js';
import { compareRows, expectedRows, rowId, type AggregateRow, type Verdict } from './oracle.js';

async function runToExit(context: RoundContext, name: string, start: (group: string) => ContenderProcess): Promise<{ process: ContenderProcess; line: string; group: string; seconds: number; cpuSeconds: number; peakRssBytes: number }> {
  const group = `bench-${context.runId}-${name}-r${context.round}`;
  const process = start(group);
  const code = await process.exited();
  const seconds = process.elapsedSeconds();
  const use = process.sample();
  await process.stop();
  if (code !== 0) throw new Error(`${name} exited with code ${code}; see ${join(context.logDir, `${group}.log`)}`);
  const line = process.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${name} printed no result line; see ${join(context.logDir, `${group}.log`)}`);
  return { process, line, group, seconds, cpuSeconds: use.cpuSeconds, peakRssBytes: use.peakRssBytes };
}

/**
 * The ceiling: a librdkafka consumer that only decodes and counts. Valid when
 * it read every record and found exactly the invalid ones the workload has.
 *
 * @example
 * ```ts
 * const outcome = await ceilingContender().runRound(ctx);
 * ```
 */
export function ceilingContender(): Contender {
  return {
    name: 'ceiling',
    prepare: async () => {},
    runRound: async (context): Promise<RoundOutcome> => {
      const run = await runToExit(context, 'ceiling', (group) =>
        ContenderProcess.start(
          ceilingCommand({ input: context.workload.topic, group, bootstrap: context.endpoints.bootstrap, registry: context.endpoints.registryUrl }),
          join(context.logDir, `${group}.log`),
        ),
      );
      const result = parseCeilingResult(run.line);
      const expected = expectedRows(context.workload);
      const ok = result.consumed === context.workload.shape.events && result.invalid === expected.invalid;
      const verdict: Verdict = {
        valid: ok,
        expectedRows: expected.valid + expected.invalid,
        actualRows: result.consumed,
        missing: Math.max(0, context.workload.shape.events - result.consumed),
        unexpected: 0,
        different: Math.abs(result.invalid - expected.invalid),
        examples: ok ? [] : [`consumed ${result.consumed} of ${context.workload.shape.events}, invalid ${result.invalid} (expected ${expected.invalid})`],
      };
      return { contender: 'ceiling', round: context.round, events: result.consumed, seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssBytes: run.peakRssBytes, verdict };
    },
  };
}

/**
 * The seeds' way: Python, one message at a time, one upsert per aggregate
 * update. At that speed a round is cut after `maxSeconds`; its events/s and
 * validity then cover exactly the prefix it read (the positions it reports).
 *
 * @example
 * ```ts
 * const outcome = await baselineContender(60).runRound(ctx);
 * ```
 */
export function baselineContender(maxSeconds: number): Contender {
  return {
    name: 'baseline',
    prepare: async () => {
      await checkBaselinePrerequisites();
    },
    runRound: async (context): Promise<RoundOutcome> => {
      const table = `bench_baseline_${context.runId.replace(/-/g, '_')}_r${context.round}`;
      const run = await runToExit(context, 'baseline', (group) =>
        ContenderProcess.start(
          baselineCommand({
            input: context.workload.topic,
            dlq: `${group}.dlq`,
            table,
            group,
            maxSeconds,
            bootstrap: context.endpoints.bootstrap,
            registry: context.endpoints.registryUrl,
            databaseUrl: context.endpoints.databaseUrl,
          }),
          join(context.logDir, `${group}.log`),
        ),
      );
      const result = parseBaselineResult(run.line);
      const positions = new Map(Object.entries(result.positions).map(([p, o]) => [Number(p), o]));
      const expected = expectedRows(context.workload, positions);
      const pool = new pg.Pool({ connectionString: context.endpoints.databaseUrl, max: 1 });
      let verdict: Verdict;
      try {
        const { rows } = await pool.query<{ key: string; window_start: string; count: string; sum: number; avg: number; max: number }>(`select key, window_start, count, sum, avg, max from ${table}`);
        const actual = new Map<string, AggregateRow>();
        for (const r of rows) actual.set(rowId(r.key, Number(r.window_start)), { key: r.key, windowStart: Number(r.window_start), count: Number(r.count), sum: r.sum, avg: r.avg, max: r.max });
        verdict = compareRows(expected.rows, actual);
        await pool.query(`drop table if exists ${table}`);
      } finally {
        await pool.end();
      }
      // Rate over the records it handled, from spawn to exit like every contender.
      return { contender: 'baseline', round: context.round, events: result.consumed, seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssBytes: run.peakRssBytes, verdict, note: `stopped after ${maxSeconds} s at ${result.consumed.toLocaleString('en-US')} events` };
    },
  };
}
