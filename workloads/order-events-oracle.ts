import type { OrderEvent } from '../topologies/types/schemas.js';
import type { GeneratedRecord } from '../src/cli/generators/event-generator.js';
import { expectedDeadLetters, valuesOf, windowsOf, type ExpectedDeadLetters } from '../src/cli/generators/oracle-support.js';

/** One row of `order_status`: an order's latest state. */
export interface OrderStatusRow {
  readonly order_id: string;
  readonly status: string;
  readonly user_id: string;
  readonly source: string;
  readonly transitions: number;
  readonly placed_at: number;
  readonly updated_at: number;
}

/** What order-processing's dead-letter topic must hold: the malformed events, and the rejected ones with their reasons. */
export interface OrderProcessingDeadLetters extends ExpectedDeadLetters {
  /** `sluice.error.message` of every `rejected` dead letter, sorted. */
  readonly rejected: readonly string[];
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
  readonly processing: { readonly orders: readonly OrderStatusRow[]; readonly deadLetters: OrderProcessingDeadLetters };
  readonly analytics: { readonly statusMinutes: readonly OrderStatusMinute[]; readonly deadLetters: ExpectedDeadLetters };
  /** Every decodable event, invalid and late ones included: an audit log keeps what it received. */
  readonly storage: { readonly events: readonly OrderEvent[] };
}

/**
 * The oracle. Processing replays each order's well-formed events (valid and
 * late copies; malformed ones are dead-lettered first) in production order —
 * the order Kafka keeps per order id — through the lifecycle rules written
 * here independently of the topology: an event is accepted only if its
 * status is the next one and it is not older than the order's last accepted
 * event. So a re-sent status is rejected even where the generator's label
 * alone would not tell (a late copy of an earlier skip can look like the
 * next step). Analytics windows the valid events; late and malformed events
 * never reach its windows.
 *
 * @example
 * ```ts
 * orderEventsOracle(take(orderEventsWorkload.records(options), 2_000)).analytics.statusMinutes[0];
 * // { status: 'CONFIRMED', window_start: …, events: 12, web: 5, mobile: 6, api: 1 }
 * ```
 */
export function orderEventsOracle(records: readonly GeneratedRecord<OrderEvent>[]): OrderEventsOracle {
  const windowed = records.filter((r) => r.kind === 'valid');
  const { orders, rejected } = replayLifecycles(records.filter((r) => r.kind === 'valid' || r.kind === 'late').map((r) => r.value));
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
    processing: { orders, deadLetters: { ...expectedDeadLetters(records, { windowed: false }), rejected } },
    analytics: { statusMinutes, deadLetters },
    storage: { events: valuesOf(records, ['valid', 'invalid', 'late']) },
  };
}

const ORDER = ['PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];
const iso = (ms: number): string => new Date(ms).toISOString();

/** Each order's final state, and the reason of every rejected event (sorted). */
function replayLifecycles(events: readonly OrderEvent[]): { orders: OrderStatusRow[]; rejected: string[] } {
  const orders = new Map<string, OrderStatusRow>();
  const rejected: string[] = [];
  for (const e of events) {
    const o = orders.get(e.order_id);
    const reached = o === undefined ? 0 : ORDER.indexOf(o.status) + 1; // 0 = not placed yet
    const wanted = ORDER.indexOf(e.status) + 1;
    const current = o?.status ?? 'NONE';
    if (wanted !== reached + 1) {
      const kind = wanted === reached ? 'a repeat' : wanted < reached ? 'a step back' : 'a skip';
      rejected.push(`impossible transition ${current} → ${e.status} (${kind})`);
    } else if (o !== undefined && e.timestamp < o.updated_at) {
      rejected.push(`${e.status} at ${iso(e.timestamp)} is older than ${o.status} at ${iso(o.updated_at)}`);
    } else if (o === undefined) {
      orders.set(e.order_id, { order_id: e.order_id, status: e.status, user_id: e.user_id, source: e.source, transitions: 1, placed_at: e.timestamp, updated_at: e.timestamp });
    } else {
      orders.set(e.order_id, { ...o, status: e.status, transitions: o.transitions + 1, updated_at: e.timestamp });
    }
  }
  return { orders: [...orders.values()], rejected: rejected.sort() };
}
