import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { IMPOSSIBLE, LIFECYCLE, orderEventsWorkload as workload } from '../../../workloads/order-events.js';
import orderAnalytics from '../../../topologies/order-analytics.js';
import orderProcessing from '../../../topologies/order-processing.js';
import orderStorage from '../../../topologies/order-storage.js';
import type { OrderEvent } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, START_MS, summarise } from './support/workload-driver.js';

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
    expect(oracle.analytics.deadLetters.late).toBeGreaterThan(20);
    // Every impossible event and every late copy (a re-sent status) is rejected by processing.
    expect(oracle.processing.deadLetters.rejected.length).toBeGreaterThan(records.filter((r) => r.note === IMPOSSIBLE).length);
  });

  test('order-processing: one row per order with its latest state; impossible events rejected with their reason', async () => {
    const driver = driverFor(orderProcessing, workload);
    await feed(driver, records, CHUNK);
    const rows = await driver.table('orders.state').rows();
    expectRows(rows, oracle.processing.orders, ['order_id']);
    const { rejected, ...expected } = oracle.processing.deadLetters;
    const summary = summarise(await driver.deadLetters('order-processing.dlq').records());
    expect({ ...summary, other: [...summary.other].sort() }).toEqual({ ...expected, other: rejected.map((m) => `rejected: ${m}`).sort() });
  });

  test('order-processing rules: the next status only, never older than the last accepted one', async () => {
    const driver = driverFor(orderProcessing, workload);
    const id = '6b0f4c1e-8c63-4f38-9a55-1d2f0f2f7a10';
    const at = (minute: number) => START_MS + minute * 60_000;
    const e = (status: OrderEvent['status'], minute: number, source: OrderEvent['source'] = 'WEB'): OrderEvent =>
      ({ event_id: `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`, event_type: 'ORDER_EVENT', order_id: id, user_id: 'user_7', status, source, timestamp: at(minute) });
    const events = [e('CONFIRMED', 0), e('PLACED', 1), e('PLACED', 2), e('SHIPPED', 3), e('CONFIRMED', 5, 'API'), e('PLACED', 6), e('SHIPPED', 4), e('SHIPPED', 7)];
    await driver.input<OrderEvent>('order-events').sendAll(events.map((value) => ({ value, key: id })));
    expect(await driver.table('orders.state').rows()).toEqual([
      { order_id: id, status: 'SHIPPED', user_id: 'user_7', source: 'WEB', transitions: 3, placed_at: at(1), updated_at: at(7) },
    ]);
    const letters = await driver.deadLetters('order-processing.dlq').records();
    expect(letters.map((d) => [d.reason, d.step, d.message, d.source.offset])).toEqual([
      ['rejected', 'lifecycle', 'impossible transition NONE → CONFIRMED (a skip)', 0n],
      ['rejected', 'lifecycle', 'impossible transition PLACED → PLACED (a repeat)', 2n],
      ['rejected', 'lifecycle', 'impossible transition PLACED → SHIPPED (a skip)', 3n],
      ['rejected', 'lifecycle', 'impossible transition CONFIRMED → PLACED (a step back)', 5n],
      ['rejected', 'lifecycle', 'SHIPPED at 2026-01-05T08:04:00.000Z is older than CONFIRMED at 2026-01-05T08:05:00.000Z', 6n],
    ]);
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
    expect(describePlan(plan(orderProcessing))).toContain('Track: lifecycle (key: order_id, state: order-state, rejects to: order-processing.dlq)');
    expect(describePlan(plan(orderAnalytics))).toContain('Aggregate: status-counts (key: status, events: count, web: sum, mobile: sum, api: sum)');
    expect(describePlan(plan(orderStorage))).toContain('order-events-pg (postgres) <-- order-events.audit');
  });
});
