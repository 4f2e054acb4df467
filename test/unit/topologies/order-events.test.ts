import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { IMPOSSIBLE, LIFECYCLE, orderEventsWorkload as workload } from '../../../src/cli/generators/order-events.js';
import orderAnalytics from '../../../topologies/order-analytics.js';
import orderProcessing from '../../../topologies/order-processing.js';
import orderStorage from '../../../topologies/order-storage.js';
import type { OrderEvent } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

// One event a second: 50 minutes, long enough for orders to be delivered.
const records = take(workload.records({ ...OPTIONS, eventsPerSecond: 1 }), 3_000);
const oracle = workload.oracle(records);
// 8 s of event time per chunk, well within the 30 s grace (see feed()).
const CHUNK = 8;

describe('the order-events topologies on the test driver', () => {
  test('orders walk their lifecycle in order; some are impossible, malformed or late', () => {
    const regular = records.filter((r) => r.kind === 'valid' && r.note === undefined).map((r) => r.value);
    const byOrder = new Map<string, OrderEvent[]>();
    for (const e of regular) byOrder.set(e.order_id, [...(byOrder.get(e.order_id) ?? []), e]);
    for (const events of byOrder.values()) {
      expect(events.map((e) => e.status)).toEqual(LIFECYCLE.slice(0, events.length));
      expect(events.at(-1)!.timestamp - events[0]!.timestamp).toBeLessThan(3_600_000);
    }
    expect(oracle.processing.orders.filter((o) => o.status === 'DELIVERED').length).toBeGreaterThan(50);
    expect(records.filter((r) => r.note === IMPOSSIBLE).length).toBeGreaterThan(10);
    expect(oracle.processing.deadLetters.invalid).toBeGreaterThan(10);
    expect(oracle.processing.deadLetters.late).toBeGreaterThan(20);
  });

  test('order-processing: one row per order with its status and impossible transitions', async () => {
    const driver = driverFor(orderProcessing, workload);
    await feed(driver, records, CHUNK);
    const rows = await driver.table('orders.lifecycle').rows();
    expectRows(rows, oracle.processing.orders, ['order_id', 'window_start']);
    expect(summarise(await driver.deadLetters('order-processing.dlq').records())).toEqual({ ...oracle.processing.deadLetters, other: [] });
  });

  test('order-analytics: events per status and minute, split by source', async () => {
    const driver = driverFor(orderAnalytics, workload);
    await feed(driver, records, CHUNK);
    expectRows(await driver.table('orders.status-counts.1m').rows(), oracle.analytics.statusMinutes, ['status', 'window_start']);
    expect(summarise(await driver.deadLetters('order-analytics.dlq').records())).toEqual({ ...oracle.analytics.deadLetters, other: [] });
  });

  test('order-storage: every event as received', async () => {
    const driver = driverFor(orderStorage, workload);
    await feed(driver, records, CHUNK);
    const stored = await driver.output<OrderEvent>('order-events.audit').values();
    expect(stored.map((e) => e.event_id).sort()).toEqual(oracle.storage.events.map((e) => e.event_id).sort());
    expect(await driver.deadLetters('order-storage.dlq').records()).toEqual([]);
  });

  test('describe() explains each', () => {
    expect(describePlan(plan(orderProcessing))).toContain('Window: order-activity (session gap 1h, grace 5m');
    expect(describePlan(plan(orderAnalytics))).toContain('Aggregate: status-counts (key: status, events: count, web: sum, mobile: sum, api: sum)');
    expect(describePlan(plan(orderStorage))).toContain('order-events-pg (postgres) <-- order-events.audit');
  });
});
