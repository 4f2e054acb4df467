import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { ROAD_SENSORS, trafficMonitoringWorkload as workload, VEHICLE_GPS, type TrafficEvent } from '../../../workloads/traffic-monitoring.js';
import trafficMonitoring from '../../../topologies/traffic-monitoring.js';
import type { RoadSensorReading, TrafficIncident, VehicleGpsFix } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

const records = take(workload.records(OPTIONS), 4_000);
const oracle = workload.oracle(records);
const sensors = records.filter((r) => r.topic === ROAD_SENSORS).map((r) => r.value as RoadSensorReading);
const fixes = records.filter((r) => r.topic === VEHICLE_GPS).map((r) => r.value as VehicleGpsFix);

describe('traffic-monitoring on the test driver', () => {
  test('the workload has sensors and probe vehicles on their own topics keyed by segment, jams, accidents, invalid and late readings', () => {
    expect(sensors.length).toBeGreaterThan(records.length / 10);
    expect(fixes.length).toBeGreaterThan(sensors.length);
    expect(new Set(sensors.map((r) => r.segment_id)).size).toBe(12);
    expect(new Set(fixes.map((r) => r.segment_id)).size).toBeGreaterThanOrEqual(12);
    // Merged topics are co-partitioned: keyed alike (by segment) and as many partitions each.
    const valid = records.filter((r) => r.kind === 'valid' && (r.topic === ROAD_SENSORS || r.topic === VEHICLE_GPS));
    expect(valid.every((r) => r.key === (r.value as { segment_id: string }).segment_id)).toBe(true);
    const partitions = new Map(workload.topics.map((t) => [t.name, t.partitions]));
    expect(partitions.get(ROAD_SENSORS)).toBe(partitions.get(VEHICLE_GPS));
    expect(oracle.congested.length).toBeGreaterThan(0);
    expect(oracle.congested.length).toBeLessThan(oracle.segmentStats.length);
    expect(oracle.accidents.length).toBeGreaterThan(5);
    expect(oracle.deadLetters.late).toBeGreaterThan(30);
    for (const reason of ['severity', 'negative vehicle_count', 'avg_speed_kmh', 'speed_kmh', 'segment_id is missing']) {
      expect(oracle.deadLetters.messages.some((m) => m.startsWith(reason)), reason).toBe(true);
    }
    expect(new Set(records.filter((r) => r.kind === 'late').map((r) => r.topic))).toEqual(new Set([ROAD_SENSORS, VEHICLE_GPS]));
  });

  test('hopping segment stats of the merged sources, accidents and dead letters of every source match the oracle', async () => {
    const driver = driverFor(trafficMonitoring, workload);
    await feed<TrafficEvent>(driver, records);
    const stats = await driver.table('traffic.segment-stats.5m').rows();
    expectRows(stats, oracle.segmentStats, ['segment_id', 'window_start']);
    // Each sensor summary and GPS fix lands in 5 windows of 5 minutes advancing by 1; only sensors count vehicles.
    const total = oracle.segmentStats.reduce((s, w) => s + w.readings, 0);
    const valid = records.filter((r) => r.kind === 'valid');
    expect(total).toBe(5 * valid.filter((r) => r.topic === ROAD_SENSORS || r.topic === VEHICLE_GPS).length);
    const counted = valid.filter((r) => r.topic === ROAD_SENSORS).reduce((s, r) => s + (r.value as RoadSensorReading).vehicle_count, 0);
    expect(oracle.segmentStats.reduce((s, w) => s + w.vehicles, 0)).toBe(5 * counted);
    const accidents = await driver.output<TrafficIncident>('traffic.accidents').values();
    expect(accidents.map((a) => a.incident_id).sort()).toEqual(oracle.accidents.map((a) => a.incident_id).sort());
    expect(summarise(await driver.deadLetters('traffic.dlq').records())).toEqual({ ...oracle.deadLetters, other: [] });
  });

  test('describe() explains it', () => {
    const text = describePlan(plan(trafficMonitoring));
    expect(text).toContain('Window: 5m-every-1m (hopping 5m every 1m, grace 1m');
    expect(text).toContain('Merge: all-readings (inputs: traffic.road-sensors + traffic.vehicle-gps)');
    expect(text).toContain('accidents-pg (postgres) <-- traffic.accidents');
  });
});
