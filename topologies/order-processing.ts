/**
 * Seed 003, the order-processing consumer: follows each order through
 * PLACED → CONFIRMED → SHIPPED → DELIVERED. Per order (a session: its events
 * are never an hour apart) the table holds the current status, the event
 * count and the impossible transitions (a skip, a repeat, a step back), which
 * are rejected and counted. Approximation: the issue wants those to reach
 * the dead-letter topic, but a per-key state that can reject a record is not
 * in the DSL yet (see the report to the lead); malformed events are
 * dead-lettered.
 */
import { count, postgres, session, topology } from 'sluice';
import { currentStatus, impossibleTransitions } from './_order-lifecycle.js';
import type { OrderEvent } from './types/schemas.js';

export default topology('order-processing')
  .source<OrderEvent>('order-events', { schema: 'order-event', eventTime: 'timestamp' })
  .validate('well-formed', (e) => /^user_\d+$/.test(e.user_id) || `user_id "${e.user_id}" is not user_<digits>`)
  .deadLetter('order-processing.dlq')
  .groupBy('by-order', 'order_id')
  .window('order-activity', session('1h'), { grace: '5m' })
  .aggregate('lifecycle', {
    events: count(),
    status: currentStatus(),
    impossible_transitions: impossibleTransitions(),
  })
  .toTable('orders.lifecycle')
  .sink('lifecycle-pg', postgres({ table: 'order_lifecycle', key: ['order_id', 'window_start'] }));
