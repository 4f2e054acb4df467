import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { HeartbeatMonitoringOracle } from '../../../workloads/heartbeat-monitoring.js';
import { eventually } from '../../support/kafka-test-kit.js';
import { close, generateWithOracle, readDeadLetters, useTopologyRun } from '../../support/topology-e2e.js';

const stack = inject('stack');
const TOPOLOGY = 'heartbeat-monitoring';
// 500 records at the generator's default 20 records per second of event time: a 25 s span, inside the
// topology's 30 s grace, so catching up the pre-loaded backlog cannot make a valid record late. The
// generator's late copies are 180 s older than a record of the same customer produced before them, so
// they are late whatever the interleaving. The input is produced before the topology starts.
const GENERATE = ['--count', '500', '--seed', '4242', '--invalid-ratio', '0.05', '--late-ratio', '0.02'];

describe('heartbeat-monitoring end to end (sluice generate → sluice run → PostgreSQL)', () => {
  let oracle: HeartbeatMonitoringOracle;
  let db: pg.Client;
  let env: NodeJS.ProcessEnv;

  const run = useTopologyRun(stack, [TOPOLOGY], (env) => generateWithOracle<HeartbeatMonitoringOracle>(TOPOLOGY, GENERATE, env));
  beforeAll(() => {
    ({ oracle, db, env } = run);
  });

  it('the oracle is not trivial (invalid, late, alerts and several minutes)', () => {
    expect(oracle.deadLetters.invalid).toBeGreaterThan(0);
    expect(oracle.deadLetters.late).toBeGreaterThan(0);
    expect(oracle.alerts.length).toBeGreaterThan(0);
    expect(oracle.minutes.length).toBeGreaterThan(oracle.heartRates.length / 20);
  });

  it('heart_rates holds every valid and late reading, exactly', async () => {
    const expected = oracle.heartRates.map((h) => `${h.customer_id}|${h.timestamp}|${h.heart_rate}`).sort();
    let actual: string[] = [];
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ customer_id: string; t: string; heart_rate: number }>(
        `select customer_id, (extract(epoch from timestamp) * 1000)::bigint::text as t, heart_rate from heart_rates`,
      );
      actual = rows.map((r) => `${r.customer_id}|${r.t}|${r.heart_rate}`).sort();
      return actual.length === expected.length ? undefined : `${actual.length} rows, expected ${expected.length}`;
    }, 120_000, 1_000);
    expect(mismatch).toBeUndefined();
    expect(actual).toEqual(expected);
  });

  it('heart_rate_alerts holds exactly the anomalies, with kind and threshold', async () => {
    const expected = oracle.alerts.map((a) => `${a.customer_id}|${a.timestamp}|${a.heart_rate}|${a.anomaly}|${a.threshold}`).sort();
    let actual: string[] = [];
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ customer_id: string; t: string; heart_rate: number; anomaly: string; threshold: number }>(
        `select customer_id, (extract(epoch from timestamp) * 1000)::bigint::text as t, heart_rate, anomaly, threshold from heart_rate_alerts`,
      );
      actual = rows.map((r) => `${r.customer_id}|${r.t}|${r.heart_rate}|${r.anomaly}|${r.threshold}`).sort();
      return actual.length === expected.length ? undefined : `${actual.length} rows, expected ${expected.length}`;
    }, 120_000, 1_000);
    expect(mismatch).toBeUndefined();
    expect(actual).toEqual(expected);
  });

  it('heart_rate_minute matches the oracle per customer and minute (count, min, avg, max)', async () => {
    const expected = new Map(oracle.minutes.map((m) => [`${m.customer_id}|${m.window_start}`, m]));
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ customer_id: string; ws: string; we: string; readings: string; min_bpm: number; avg_bpm: number; max_bpm: number }>(
        `select customer_id, (extract(epoch from window_start) * 1000)::bigint::text as ws, (extract(epoch from window_end) * 1000)::bigint::text as we,
                readings::text, min_bpm, avg_bpm, max_bpm from heart_rate_minute`,
      );
      const problems: string[] = [];
      if (rows.length !== expected.size) problems.push(`${rows.length} rows, expected ${expected.size}`);
      for (const r of rows) {
        const e = expected.get(`${r.customer_id}|${r.ws}`);
        if (!e) {
          problems.push(`unexpected window ${r.customer_id} ${new Date(Number(r.ws)).toISOString()}`);
          continue;
        }
        if (Number(r.we) !== e.window_end || Number(r.readings) !== e.readings || r.min_bpm !== e.min_bpm || r.max_bpm !== e.max_bpm || !close(r.avg_bpm, e.avg_bpm)) {
          problems.push(`${r.customer_id} ${r.ws}: got ${JSON.stringify(r)}, expected ${JSON.stringify(e)}`);
        }
      }
      return problems.length === 0 ? undefined : problems.slice(0, 5).join('\n');
    }, 120_000, 1_000);
    expect(mismatch).toBeUndefined();
  });

  it('heartbeats.dlq holds the invalid readings with their reasons and the late ones as late', async () => {
    const want = oracle.deadLetters.invalid + oracle.deadLetters.late;
    let summary = await readDeadLetters(stack.kafkaBootstrapServers, 'heartbeats.dlq');
    const mismatch = await eventually(async () => {
      summary = await readDeadLetters(stack.kafkaBootstrapServers, 'heartbeats.dlq');
      return summary.total >= want ? undefined : `${summary.total} dead letters, expected ${want}`;
    }, 120_000, 1_000);
    expect(mismatch).toBeUndefined();
    expect(summary).toEqual({
      total: want,
      invalid: oracle.deadLetters.invalid,
      late: oracle.deadLetters.late,
      other: [],
      messages: [...oracle.deadLetters.messages].sort(),
    });
  });
});
