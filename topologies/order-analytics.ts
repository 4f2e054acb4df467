/**
 * Seed 003, the analytics consumer: order events per status per minute, with
 * the split by source (web, mobile, API) as columns, since a group key is
 * one field.
 */
import { count, postgres, sum, topology, tumbling } from 'sluice';
import type { OrderEvent, OrderSource } from './types/schemas.js';

const from = (source: OrderSource) => sum((e: OrderEvent) => (e.source === source ? 1 : 0));

export default topology('order-analytics')
  .source<OrderEvent>('order-events', { schema: 'order-event', eventTime: 'timestamp' })
  .validate('well-formed', (e) => /^user_\d+$/.test(e.user_id) || `user_id "${e.user_id}" is not user_<digits>`)
  .deadLetter('order-analytics.dlq')
  .groupBy('by-status', 'status')
  .window('per-minute', tumbling('1m'), { grace: '30s' })
  .aggregate('status-counts', { events: count(), web: from('WEB'), mobile: from('MOBILE'), api: from('API') })
  .toTable('orders.status-counts.1m')
  .sink('status-counts-pg', postgres({ table: 'order_status_minute', key: ['status', 'window_start'] }));
