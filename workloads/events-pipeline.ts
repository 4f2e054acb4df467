import type { AppEvent } from '../topologies/types/schemas.js';
import type { EventGenerator, GeneratedRecord, GeneratorOptions } from '../src/cli/generators/event-generator.js';
import { mixRecords } from '../src/cli/generators/mix-records.js';
import { expectedDeadLetters, firstPerKey, valuesOf, windowsOf, type ExpectedDeadLetters } from '../src/cli/generators/oracle-support.js';
import { round } from '../src/cli/generators/round.js';
import { SeededRandom } from '../src/cli/generators/seeded-random.js';

/** Shoppers active at once: at least 300, more at high rates (one event per user a minute on average). */
const usersFor = (eventsPerSecond: number): number => Math.max(300, Math.round(eventsPerSecond * 60));
/** A shop's funnel: most events are views, few are purchases. */
const TYPES = [['page_view', 55], ['click', 25], ['add_to_cart', 12], ['purchase', 5], ['signup', 3]] as const;

/** One row of `agg_events_minute`. */
export interface EventsPerMinute {
  readonly event_type: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly events: number;
}

/**
 * One row of `dlq_events`, as the oracle knows it: the rejected event, why,
 * and which step rejected it.
 *
 * @example
 * ```ts
 * const r: ExpectedDlqRow = { event_id: '…', reason: 'invalid', step: 'has-user', message: 'user_id is missing', timestamp: 1763000040000 };
 * ```
 */
export interface ExpectedDlqRow {
  readonly event_id: string;
  readonly reason: 'invalid' | 'late';
  readonly step: string;
  /** The whole message for `invalid`; for `late`, its beginning (the watermark that follows depends on arrival order). */
  readonly message: string;
  /** The event time, which is also the produced record's timestamp. */
  readonly timestamp: number;
}

/**
 * What `events-pipeline` must produce from a generated input.
 *
 * @example
 * ```ts
 * eventsPipelineWorkload.oracle(records).perMinute; // [{ event_type: 'click', window_start, events: 74, ... }, ...]
 * ```
 */
export interface EventsPipelineOracle {
  /** Rows of `raw_events` (late events are stored: only the minute counts window them). */
  readonly rawEvents: readonly AppEvent[];
  readonly perMinute: readonly EventsPerMinute[];
  /** What `events_dlq` must hold. */
  readonly deadLetters: ExpectedDeadLetters;
  /** What `dlq_events` must hold: a row per invalid or late event (event ids are unique), sorted by event_id. */
  readonly dlqRows: readonly ExpectedDlqRow[];
}

/** The validate step of topologies/events-pipeline.ts that gives each message (they run in this order). */
const STEP_OF_MESSAGE: readonly (readonly [prefix: string, step: string])[] = [
  ['unknown event_type', 'known-type'],
  ['user_id is missing', 'has-user'],
  ['purchase without a positive amount', 'priced-purchase'],
];
/** The topology's window step, which dead-letters late events, and its grace. */
const WINDOW_STEP = 'minute';
const GRACE_MS = 30_000;

function dlqRowsOf(records: readonly GeneratedRecord<AppEvent>[]): ExpectedDlqRow[] {
  const rows: ExpectedDlqRow[] = [];
  for (const { kind, value, reason } of records) {
    if (kind === 'invalid') {
      const step = STEP_OF_MESSAGE.find(([prefix]) => reason?.startsWith(prefix))?.[1];
      if (step === undefined) throw new Error(`events-pipeline oracle: no step gives "${String(reason)}"`);
      rows.push({ event_id: value.event_id, reason: 'invalid', step, message: reason ?? '', timestamp: value.timestamp });
    } else if (kind === 'late') {
      const message = `event time ${value.timestamp} is past its window's end + grace (${GRACE_MS} ms)`;
      rows.push({ event_id: value.event_id, reason: 'late', step: WINDOW_STEP, message, timestamp: value.timestamp });
    }
  }
  return rows.sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

/**
 * 300 shop users (more at high rates) in sessions, producing a funnel of page views, clicks,
 * add-to-carts, purchases (with an amount) and sign-ups. Keyed by user_id.
 * Invalid: an unknown or misspelt event type, a missing user, a purchase
 * without an amount. Late: an event the app buffered offline and sends 3
 * minutes later.
 *
 * @example
 * ```ts
 * take(eventsPipelineWorkload.records(options), 10_000);
 * ```
 */
export const eventsPipelineWorkload: EventGenerator<AppEvent, EventsPipelineOracle> = {
  name: 'events-pipeline',
  topologies: ['events-pipeline'],
  topics: [{ name: 'events', partitions: 3, schema: 'app-event' }],
  records: (options: GeneratorOptions) => {
    const random = new SeededRandom(options.seed);
    const users = usersFor(options.eventsPerSecond);
    const sessions = Array.from({ length: users }, () => random.uuid());
    return mixRecords<AppEvent>(options, random, {
      lateByMs: 180_000,
      next: (nowMs) => {
        // A few heavy users and a long tail, like real traffic.
        const user = Math.floor(users * random.next() ** 2);
        if (random.chance(0.04)) sessions[user] = random.uuid();
        const event_type = random.weighted(TYPES);
        const value: AppEvent = {
          event_id: random.uuid(),
          event_type,
          user_id: `user_${user + 1}`,
          session_id: sessions[user]!,
          amount: event_type === 'purchase' ? round(Math.exp(random.gaussian(3.8, 0.7)), 2) : null,
          timestamp: nowMs - random.int(0, 2_000),
        };
        return { topic: 'events', key: value.user_id ?? '', value, kind: 'valid' };
      },
      spoil: ({ value }) => {
        const fresh = { ...value, event_id: random.uuid() };
        const fault = random.int(0, 2);
        if (fault === 0) {
          const event_type = random.pick(['pageview', 'PURCHASE', 'scroll', '']);
          return { value: { ...fresh, event_type }, reason: `unknown event_type "${event_type}"` };
        }
        if (fault === 1) return { value: { ...fresh, user_id: random.chance(0.5) ? null : '' }, reason: 'user_id is missing' };
        return { value: { ...fresh, event_type: 'purchase', amount: random.chance(0.5) ? null : -9.99 }, reason: 'purchase without a positive amount' };
      },
      age: ({ value }, byMs) => ({ ...value, event_id: random.uuid(), timestamp: value.timestamp - byMs }),
    });
  },
  oracle: (records) => ({
    rawEvents: firstPerKey(valuesOf(records, ['valid', 'late']), (e) => e.event_id),
    perMinute: windowsOf(valuesOf(records, ['valid']), (e) => e.event_type, (e) => e.timestamp, 60_000).map((w) => ({
      event_type: w.key,
      window_start: w.start,
      window_end: w.end,
      events: w.items.length,
    })),
    deadLetters: expectedDeadLetters(records, { windowed: true }),
    dlqRows: dlqRowsOf(records),
  }),
};

export default eventsPipelineWorkload;
