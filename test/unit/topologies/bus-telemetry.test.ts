import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { busTelemetryWorkload as workload } from '../../../workloads/bus-telemetry.js';
import busTelemetry from '../../../topologies/bus-telemetry.js';
import type { BusTelemetry } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

const records = take(workload.records(OPTIONS), 3_000);
const oracle = workload.oracle(records);

describe('bus-telemetry on the test driver', () => {
  test('the workload is realistic and mixes invalid and late readings', () => {
    expect(new Set(records.map((r) => r.value.bus_id)).size).toBe(40);
    expect(new Set(records.map((r) => r.value.route_id)).size).toBe(8);
    const valid = records.filter((r) => r.kind === 'valid').map((r) => r.value);
    expect(valid.every((e) => e.speed_kmh >= 0 && e.speed_kmh <= 90 && e.passengers >= 0 && e.passengers <= 90)).toBe(true);
    expect(valid.filter((e) => e.speed_kmh === 0).length / valid.length).toBeGreaterThan(0.1); // buses stop
    expect(oracle.deadLetters.invalid).toBeGreaterThan(50);
    expect(oracle.deadLetters.late).toBeGreaterThan(30);
    expect(take(workload.records(OPTIONS), 100)).toEqual(records.slice(0, 100)); // seeded: replays exactly
  });

  test('route minutes, raw telemetry and dead letters match the oracle', async () => {
    const driver = driverFor(busTelemetry, workload);
    await feed(driver, records);
    expectRows(await driver.table('bus.route-stats.1m').rows(), oracle.routeMinutes, ['route_id', 'window_start']);
    const stored = await driver.output<BusTelemetry>('bus.telemetry.valid').values();
    expect(stored.length).toBe(records.filter((r) => r.kind !== 'invalid').length);
    const rowKey = (e: BusTelemetry): string => `${e.bus_id}@${e.timestamp}`;
    expect([...new Set(stored.map(rowKey))].sort()).toEqual(oracle.telemetry.map(rowKey).sort());
    expect(summarise(await driver.deadLetters('bus.telemetry.dlq').records())).toEqual({ ...oracle.deadLetters, other: [] });
  });

  test('describe() explains it', () => {
    const text = describePlan(plan(busTelemetry));
    expect(text).toContain('Topology: bus-telemetry');
    expect(text).toContain('route-stats-pg (postgres) <-- bus.route-stats.1m');
    expect(text).toContain('telemetry-pg (postgres) <-- bus.telemetry.valid');
  });
});
