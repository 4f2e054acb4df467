import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { trafficMonitoringWorkload as workload, type TrafficEvent } from '../../../workloads/traffic-monitoring.js';
import trafficMonitoring from '../../../topologies/traffic-monitoring.js';
import type { TrafficIncident, TrafficReading } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

const records = take(workload.records(OPTIONS), 4_000);
const oracle = workload.oracle(records);
const readings = records.filter((r) => r.topic === 'traffic.readings').map((r) => r.value as TrafficReading);

describe('traffic-monitoring on the test driver', () => {
  test('the workload has sensors and probe vehicles, jams, accidents, invalid and late readings', () => {
    expect(new Set(readings.map((r) => r.source))).toEqual(new Set(['SENSOR', 'GPS']));
    expect(readings.filter((r) => r.source === 'GPS').every((r) => r.vehicle_count === 0)).toBe(true);
    expect(new Set(readings.map((r) => r.segment_id)).size).toBeGreaterThanOrEqual(12);
    expect(oracle.congested.length).toBeGreaterThan(0);
    expect(oracle.congested.length).toBeLessThan(oracle.segmentStats.length);
    expect(oracle.accidents.length).toBeGreaterThan(5);
    expect(oracle.deadLetters.late).toBeGreaterThan(30);
    expect(oracle.deadLetters.messages.some((m) => m.startsWith('severity'))).toBe(true);
  });

  test('hopping segment stats, accidents and dead letters of both sources match the oracle', async () => {
    const driver = driverFor(trafficMonitoring, workload);
    await feed<TrafficEvent>(driver, records);
    const stats = await driver.table('traffic.segment-stats.5m').rows();
    expectRows(stats, oracle.segmentStats, ['segment_id', 'window_start']);
    // Each reading lands in 5 windows of 5 minutes advancing by 1.
    const total = oracle.segmentStats.reduce((s, w) => s + w.readings, 0);
    expect(total).toBe(5 * records.filter((r) => r.topic === 'traffic.readings' && r.kind === 'valid').length);
    const accidents = await driver.output<TrafficIncident>('traffic.accidents').values();
    expect(accidents.map((a) => a.incident_id).sort()).toEqual(oracle.accidents.map((a) => a.incident_id).sort());
    expect(summarise(await driver.deadLetters('traffic.dlq').records())).toEqual({ ...oracle.deadLetters, other: [] });
  });

  test('describe() explains it', () => {
    const text = describePlan(plan(trafficMonitoring));
    expect(text).toContain('Window: 5m-every-1m (hopping 5m every 1m, grace 1m');
    expect(text).toContain('accidents-pg (postgres) <-- traffic.accidents');
  });
});
