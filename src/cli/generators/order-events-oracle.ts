import type { OrderEvent } from '../../../topologies/types/schemas.js';
import type { GeneratedRecord } from './event-generator.js';
import { expectedDeadLetters, valuesOf, windowsOf, type ExpectedDeadLetters } from './oracle-support.js';

/** One row of `order_lifecycle`. */
export interface OrderLifecycleRow {
  readonly order_id: string;
  readonly window_start: number;
  /** Session windows end at their last event, inclusive. */
  readonly window_end: number;
  readonly events: number;
  readonly status: string;
  readonly impossible_transitions: number;
}

/** One row of `order_status_minute`. */
export interface OrderStatusMinute {
  readonly status: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly events: number;
  readonly web: number;
  readonly mobile: number;
  readonly api: number;
}

/**
 * What the three `order-events` topologies must produce.
 *
 * @example
 * ```ts
 * const o = orderEventsWorkload.oracle(records);
 * o.processing.orders.filter((r) => r.status === 'DELIVERED').length;
 * ```
 */
export interface OrderEventsOracle {
  readonly processing: { readonly orders: readonly OrderLifecycleRow[]; readonly deadLetters: ExpectedDeadLetters };
  readonly analytics: { readonly statusMinutes: readonly OrderStatusMinute[]; readonly deadLetters: ExpectedDeadLetters };
  /** Every decodable event, invalid and late ones included: an audit log keeps what it received. */
  readonly storage: { readonly events: readonly OrderEvent[] };
}

/**
 * The oracle, from the generator's labels: an order's status is its last
 * regular step; every event noted `impossible-transition` is one rejected
 * transition; late and malformed events never reach the windows.
 *
 * @example
 * ```ts
 * orderEventsOracle(take(orderEventsWorkload.records(options), 2_000)).analytics.statusMinutes[0];
 * // { status: 'CONFIRMED', window_start: …, events: 12, web: 5, mobile: 6, api: 1 }
 * ```
 */
export function orderEventsOracle(records: readonly GeneratedRecord<OrderEvent>[]): OrderEventsOracle {
  const windowed = records.filter((r) => r.kind === 'valid');
  const orders = new Map<string, { first: number; last: number; events: number; status: string; impossible: number }>();
  for (const { value: e, note } of windowed) {
    const o = orders.get(e.order_id) ?? { first: e.timestamp, last: e.timestamp, events: 0, status: 'NONE', impossible: 0 };
    o.first = Math.min(o.first, e.timestamp);
    o.last = Math.max(o.last, e.timestamp);
    o.events += 1;
    if (note === 'impossible-transition') o.impossible += 1;
    else o.status = e.status;
    orders.set(e.order_id, o);
  }
  const statusMinutes = windowsOf(windowed.map((r) => r.value), (e) => e.status, (e) => e.timestamp, 60_000).map((w) => ({
    status: w.key,
    window_start: w.start,
    window_end: w.end,
    events: w.items.length,
    web: w.items.filter((e) => e.source === 'WEB').length,
    mobile: w.items.filter((e) => e.source === 'MOBILE').length,
    api: w.items.filter((e) => e.source === 'API').length,
  }));
  const deadLetters = expectedDeadLetters(records, { windowed: true });
  return {
    processing: {
      orders: [...orders].map(([order_id, o]) => ({
        order_id,
        window_start: o.first,
        window_end: o.last,
        events: o.events,
        status: o.status,
        impossible_transitions: o.impossible,
      })),
      deadLetters,
    },
    analytics: { statusMinutes, deadLetters },
    storage: { events: valuesOf(records, ['valid', 'invalid', 'late']) },
  };
}
