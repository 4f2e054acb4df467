import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { heartbeatMonitoringWorkload as workload } from '../../../workloads/heartbeat-monitoring.js';
import heartbeatMonitoring from '../../../topologies/heartbeat-monitoring.js';
import type { Heartbeat, HeartRateAlert } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

const records = take(workload.records(OPTIONS), 3_000);
const oracle = workload.oracle(records);
const rowKey = (h: { customer_id: string; timestamp: number }): string => `${h.customer_id}@${h.timestamp}`;

describe('heartbeat-monitoring on the test driver', () => {
  test('heart rates are plausible, with episodes, glitches and late syncs', () => {
    const valid = records.filter((r) => r.kind === 'valid').map((r) => r.value.heart_rate);
    expect(Math.min(...valid)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...valid)).toBeLessThanOrEqual(200);
    const median = [...valid].sort((a, b) => a - b)[Math.floor(valid.length / 2)]!;
    expect(median).toBeGreaterThan(55);
    expect(median).toBeLessThan(100);
    expect(new Set(oracle.alerts.map((a) => a.anomaly))).toEqual(new Set(['TOO_LOW', 'TOO_HIGH']));
    expect(oracle.alerts.length / oracle.heartRates.length).toBeLessThan(0.1);
    expect(oracle.deadLetters.invalid).toBeGreaterThan(50);
  });

  test('minute stats, stored readings, alerts and dead letters match the oracle', async () => {
    const driver = driverFor(heartbeatMonitoring, workload);
    await feed(driver, records);
    expectRows(await driver.table('heartbeats.per-minute').rows(), oracle.minutes, ['customer_id', 'window_start']);
    const stored = await driver.output<Heartbeat>('heartbeats.valid').values();
    expect([...new Set(stored.map(rowKey))].sort()).toEqual(oracle.heartRates.map(rowKey).sort());
    const alerts = await driver.output<HeartRateAlert>('heartbeats.alerts').values();
    expectRows(alerts, oracle.alerts, ['customer_id', 'timestamp']);
    expect(summarise(await driver.deadLetters('heartbeats.dlq').records())).toEqual({ ...oracle.deadLetters, other: [] });
  });

  test('describe() explains it', () => {
    const text = describePlan(plan(heartbeatMonitoring));
    expect(text).toContain('Validate: physiological-range (dead letter: heartbeats.dlq)');
    expect(text).toContain('alerts-pg (postgres) <-- heartbeats.alerts');
    expect(text).toContain('minute-stats-pg (postgres) <-- heartbeats.per-minute');
  });
});
