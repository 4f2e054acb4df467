import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { BusTelemetryOracle } from '../../../workloads/bus-telemetry.js';
import { eventually } from '../../support/kafka-test-kit.js';
import { close, generateWithOracle, readDeadLetters, useTopologyRun } from '../../support/topology-e2e.js';

const stack = inject('stack');
const TOPOLOGY = 'bus-telemetry';
// 500 records at the generator's default 20 records per second of event time (≤1 s radio delay): a span
// under 30 s, inside the topology's 30 s grace, so catching up the pre-loaded 3-partition backlog cannot
// make a valid reading late (README "Known limits"). Late copies are 180 s older than a reading of the
// same bus (same route) produced before them: late whatever the interleaving. Produced before the topology starts.
const GENERATE = ['--count', '500', '--seed', '2000', '--invalid-ratio', '0.06', '--late-ratio', '0.02'];
const WAIT_MS = 120_000;
const ms = (column: string, as: string): string => `(extract(epoch from ${column}) * 1000)::bigint::text as ${as}`;

describe('bus-telemetry end to end (sluice generate → sluice run → PostgreSQL)', () => {
  let oracle: BusTelemetryOracle;
  let db: pg.Client;

  const run = useTopologyRun(stack, [TOPOLOGY], (env) => generateWithOracle<BusTelemetryOracle>(TOPOLOGY, GENERATE, env));
  beforeAll(() => {
    ({ oracle, db } = run);
  });

  it('the oracle is not trivial (every validation reason, late readings, all 8 routes)', () => {
    const kinds = new Set(oracle.deadLetters.messages.map((m) => m.split(' ')[0]));
    expect(kinds).toEqual(new Set(['speed_kmh', 'passengers', 'position']));
    expect(oracle.deadLetters.late).toBeGreaterThan(0);
    expect(new Set(oracle.routeMinutes.map((m) => m.route_id)).size).toBe(8);
  });

  it('bus_telemetry holds every valid and late reading once', async () => {
    const key = (e: { bus_id: string; route_id: string; latitude: number; longitude: number; speed_kmh: number; passengers: number }, t: string | number): string =>
      [e.bus_id, e.route_id, e.latitude, e.longitude, e.speed_kmh, e.passengers, t].join('|');
    const expected = oracle.telemetry.map((e) => key(e, e.timestamp)).sort();
    let actual: string[] = [];
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ bus_id: string; route_id: string; latitude: number; longitude: number; speed_kmh: number; passengers: number; t: string }>(
        `select bus_id, route_id, latitude, longitude, speed_kmh, passengers, ${ms('timestamp', 't')} from bus_telemetry`,
      );
      actual = rows.map((r) => key(r, r.t)).sort();
      return actual.length === expected.length ? undefined : `${actual.length} rows, expected ${expected.length}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(actual).toEqual(expected);
  });

  it('bus_route_minute matches the oracle per route and minute (count, averages, maxima)', async () => {
    const expected = new Map(oracle.routeMinutes.map((m) => [`${m.route_id}|${m.window_start}`, m]));
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ route_id: string; ws: string; we: string; events: string; avg_speed_kmh: number; max_speed_kmh: number; avg_passengers: number; max_passengers: number }>(
        `select route_id, ${ms('window_start', 'ws')}, ${ms('window_end', 'we')}, events::text, avg_speed_kmh, max_speed_kmh, avg_passengers, max_passengers from bus_route_minute`,
      );
      const problems: string[] = [];
      if (rows.length !== expected.size) problems.push(`${rows.length} rows, expected ${expected.size}`);
      for (const r of rows) {
        const e = expected.get(`${r.route_id}|${r.ws}`);
        const same =
          e !== undefined && Number(r.we) === e.window_end && Number(r.events) === e.events && close(r.avg_speed_kmh, e.avg_speed_kmh) &&
          r.max_speed_kmh === e.max_speed_kmh && close(r.avg_passengers, e.avg_passengers) && r.max_passengers === e.max_passengers;
        if (!same) problems.push(`${JSON.stringify(r)} vs ${JSON.stringify(e)}`);
      }
      return problems.length === 0 ? undefined : problems.slice(0, 5).join('\n');
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
  });

  it('bus.telemetry.dlq holds the invalid readings with their reasons and the late ones as late', async () => {
    const want = oracle.deadLetters.invalid + oracle.deadLetters.late;
    let summary = await readDeadLetters(stack.kafkaBootstrapServers, 'bus.telemetry.dlq');
    const mismatch = await eventually(async () => {
      summary = await readDeadLetters(stack.kafkaBootstrapServers, 'bus.telemetry.dlq');
      return summary.total >= want ? undefined : `${summary.total} dead letters, expected ${want}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(summary).toEqual({ total: want, invalid: oracle.deadLetters.invalid, late: oracle.deadLetters.late, other: [], messages: [...oracle.deadLetters.messages].sort() });
  });
});
