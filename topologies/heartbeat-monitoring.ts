/**
 * Seed 004 (customer heartbeat monitoring). Readings outside what a human
 * heart can do (25..250 bpm) are sensor faults: dead-lettered. Valid readings
 * are stored (`heart_rates`, indexed on timestamp), checked against the alert
 * band (below 50 or above 120 bpm: the "too low/too high" anomalies, as a
 * stream and a table), and summarised per customer per minute.
 */
import { filter, map } from 'rxjs';
import { avg, count, max, min, postgres, topology, tumbling } from 'sluice';
import type { Heartbeat, HeartRateAlert } from './types/schemas.js';

const LOW = 50;
const HIGH = 120;

const toAlert = (h: Heartbeat): HeartRateAlert => ({
  customer_id: h.customer_id,
  heart_rate: h.heart_rate,
  anomaly: h.heart_rate < LOW ? 'TOO_LOW' : 'TOO_HIGH',
  threshold: h.heart_rate < LOW ? LOW : HIGH,
  timestamp: h.timestamp,
});

export default topology('heartbeat-monitoring')
  .source<Heartbeat>('heartbeats', { schema: 'heartbeat', eventTime: 'timestamp' })
  .validate('physiological-range', (h) => (h.heart_rate >= 25 && h.heart_rate <= 250) || `heart_rate ${h.heart_rate} outside 25..250 bpm`)
  .deadLetter('heartbeats.dlq')
  .split('fan-out', {
    readings: (s) => s.to('heartbeats.valid')
      .sink('heart-rates-pg', postgres({ table: 'heart_rates', mode: 'insert-ignore', key: ['customer_id', 'timestamp'] })),
    alerts: (s) => s
      .pipe('anomalies', filter((h) => h.heart_rate < LOW || h.heart_rate > HIGH), map(toAlert))
      .to('heartbeats.alerts', { schema: 'heart-rate-alert' })
      .sink('alerts-pg', postgres({ table: 'heart_rate_alerts', mode: 'insert-ignore', key: ['customer_id', 'timestamp'] })),
    minutes: (s) => s
      .groupBy('by-customer', 'customer_id')
      .window('minute', tumbling('1m'), { grace: '30s' })
      .aggregate('minute-stats', {
        readings: count(),
        min_bpm: min((h) => h.heart_rate),
        avg_bpm: avg((h) => h.heart_rate),
        max_bpm: max((h) => h.heart_rate),
      })
      .toTable('heartbeats.per-minute')
      .sink('minute-stats-pg', postgres({ table: 'heart_rate_minute', key: ['customer_id', 'window_start'] })),
  });
