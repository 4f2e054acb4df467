import type { Heartbeat, HeartRateAlert } from '../topologies/types/schemas.js';
import type { EventGenerator, GeneratorOptions } from '../src/cli/generators/event-generator.js';
import { mixRecords } from '../src/cli/generators/mix-records.js';
import { expectedDeadLetters, firstPerKey, mean, valuesOf, windowsOf, type ExpectedDeadLetters } from '../src/cli/generators/oracle-support.js';
import { SeededRandom } from '../src/cli/generators/seeded-random.js';

/** The alert band of `heartbeat-monitoring`, bpm. */
export const ALERT_BELOW = 50;
export const ALERT_ABOVE = 120;

/** A monitor sends about every 5 s of event time: customers grow with the rate (at least 60). */
const customersFor = (eventsPerSecond: number): number => Math.max(60, Math.round(eventsPerSecond * 5));
type Activity = 'sleep' | 'rest' | 'walk' | 'exercise';
/** Heart rate above the customer's resting rate, per activity. */
const LIFT: Record<Activity, number> = { sleep: -8, rest: 0, walk: 25, exercise: 55 };

/** One row of `heart_rate_minute`. */
export interface HeartRateMinute {
  readonly customer_id: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly readings: number;
  readonly min_bpm: number;
  readonly avg_bpm: number;
  readonly max_bpm: number;
}

/**
 * What `heartbeat-monitoring` must produce from a generated input.
 *
 * @example
 * ```ts
 * heartbeatMonitoringWorkload.oracle(records).alerts.filter((a) => a.anomaly === 'TOO_LOW');
 * ```
 */
export interface HeartbeatMonitoringOracle {
  /** Rows of `heart_rates` (late readings are stored; only the minute stats window them). */
  readonly heartRates: readonly Heartbeat[];
  /** Rows of `heart_rate_alerts`. */
  readonly alerts: readonly HeartRateAlert[];
  readonly minutes: readonly HeartRateMinute[];
  readonly deadLetters: ExpectedDeadLetters;
}

/**
 * 60 customers (more at high rates) wearing a monitor: each has a resting rate (52–82 bpm) and
 * moves between sleep, rest, walking and exercise; the rate drifts towards
 * the activity's level with beat-to-beat noise. Now and then a customer has
 * an episode of bradycardia (38–48) or tachycardia (125–175). Keyed by
 * customer. Invalid: sensor glitches (0, negative, 255+ bpm). Late: a
 * reading the phone synced 3 minutes late.
 *
 * @example
 * ```ts
 * take(heartbeatMonitoringWorkload.records(options), 10_000);
 * ```
 */
export const heartbeatMonitoringWorkload: EventGenerator<Heartbeat, HeartbeatMonitoringOracle> = {
  name: 'heartbeat-monitoring',
  topologies: ['heartbeat-monitoring'],
  topics: [{ name: 'heartbeats', partitions: 3, schema: 'heartbeat' }],
  records: (options: GeneratorOptions) => {
    const random = new SeededRandom(options.seed);
    const customers = Array.from({ length: customersFor(options.eventsPerSecond) }, (_, i) => {
      const resting = random.int(52, 82);
      return { id: `cust-${String(i + 1).padStart(4, '0')}`, resting, rate: resting, activity: 'rest' as Activity, episode: 0, episodeBpm: 0 };
    });
    let turn = 0;
    return mixRecords<Heartbeat>(options, random, {
      lateByMs: 180_000,
      next: (nowMs) => {
        const c = customers[turn++ % customers.length]!;
        if (random.chance(0.03)) c.activity = random.weighted<Activity>([['sleep', 1], ['rest', 5], ['walk', 3], ['exercise', 1]]);
        if (c.episode === 0 && random.chance(0.004)) {
          c.episode = random.int(3, 12);
          c.episodeBpm = random.chance(0.4) ? random.int(38, 48) : random.int(125, 175);
        }
        const target = c.episode > 0 ? c.episodeBpm : c.resting + LIFT[c.activity];
        if (c.episode > 0) c.episode -= 1;
        c.rate = Math.min(200, Math.max(30, c.rate + (target - c.rate) * 0.35 + random.gaussian(0, 2)));
        const value: Heartbeat = { customer_id: c.id, heart_rate: Math.round(c.rate), timestamp: nowMs - random.int(0, 1_000) };
        return { topic: 'heartbeats', key: c.id, value, kind: 'valid' };
      },
      spoil: ({ value }) => {
        const heart_rate = random.pick([0, -1, 12, 255, 300, 999]);
        return { value: { ...value, heart_rate }, reason: `heart_rate ${heart_rate} outside 25..250 bpm` };
      },
      age: ({ value }, byMs) => ({ ...value, timestamp: value.timestamp - byMs }),
    });
  },
  oracle: (records) => {
    const stored = valuesOf(records, ['valid', 'late']);
    return {
      heartRates: firstPerKey(stored, (h) => `${h.customer_id}@${h.timestamp}`),
      alerts: firstPerKey(
        stored
          .filter((h) => h.heart_rate < ALERT_BELOW || h.heart_rate > ALERT_ABOVE)
          .map((h) => {
            const low = h.heart_rate < ALERT_BELOW;
            return { ...h, anomaly: low ? 'TOO_LOW' : 'TOO_HIGH', threshold: low ? ALERT_BELOW : ALERT_ABOVE } satisfies HeartRateAlert;
          }),
        (a) => `${a.customer_id}@${a.timestamp}`,
      ),
      minutes: windowsOf(valuesOf(records, ['valid']), (h) => h.customer_id, (h) => h.timestamp, 60_000).map((w) => {
        const bpm = w.items.map((h) => h.heart_rate);
        return {
          customer_id: w.key,
          window_start: w.start,
          window_end: w.end,
          readings: w.items.length,
          min_bpm: Math.min(...bpm),
          avg_bpm: mean(bpm),
          max_bpm: Math.max(...bpm),
        };
      }),
      deadLetters: expectedDeadLetters(records, { windowed: true }),
    };
  },
};

export default heartbeatMonitoringWorkload;
