/**
 * Seed 003, the order-processing consumer: follows each order through
 * PLACED → CONFIRMED → SHIPPED → DELIVERED. The order's state (one row per
 * order in `order_status`) moves only to the next status; an impossible
 * event — a skip, a repeat, a step back, or one older than the order's last
 * transition (a status re-sent late) — goes to the dead-letter topic with
 * reason `rejected` and why, and leaves the state as it was. Malformed
 * events are dead-lettered as `invalid`. The topic is keyed by order_id, so
 * the state is grouped by the record key without a repartition.
 */
import { postgres, topology } from 'sluice';
import type { OrderEvent, OrderState, OrderStatus } from './types/schemas.js';

const LIFECYCLE: readonly string[] = ['NONE', 'PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED'] satisfies readonly ('NONE' | OrderStatus)[];

/** The order's next state after `e`, or why `e` is impossible. */
function transition(state: Readonly<OrderState>, e: OrderEvent): OrderState | string {
  const from = LIFECYCLE.indexOf(state.status);
  const to = LIFECYCLE.indexOf(e.status);
  if (to !== from + 1) {
    const what = to === from ? 'a repeat' : to < from ? 'a step back' : 'a skip';
    return `impossible transition ${state.status} → ${e.status} (${what})`;
  }
  if (e.timestamp < state.updated_at) {
    return `${e.status} at ${new Date(e.timestamp).toISOString()} is older than ${state.status} at ${new Date(state.updated_at).toISOString()}`;
  }
  const placed = e.status === 'PLACED';
  return {
    ...state,
    status: e.status,
    user_id: placed ? e.user_id : state.user_id,
    source: placed ? e.source : state.source,
    transitions: state.transitions + 1,
    placed_at: placed ? e.timestamp : state.placed_at,
    updated_at: e.timestamp,
  };
}

export default topology('order-processing')
  .source<OrderEvent>('order-events', { schema: 'order-event', eventTime: 'timestamp' })
  .validate('well-formed', (e) => /^user_\d+$/.test(e.user_id) || `user_id "${e.user_id}" is not user_<digits>`)
  .deadLetter('order-processing.dlq')
  .groupByKey('by-order', { as: 'order_id' })
  .track<OrderState>('lifecycle', {
    schema: 'order-state',
    initial: (order_id) => ({ order_id, status: 'NONE', user_id: '', source: '', transitions: 0, placed_at: 0, updated_at: 0 }),
    update: transition,
  })
  .toTable('orders.state')
  .sink('order-status-pg', postgres({ table: 'order_status', key: ['order_id'] }));
