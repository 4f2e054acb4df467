import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import type { OrderEventsOracle } from '../../../workloads/order-events-oracle.js';
import { orderEventsWorkload } from '../../../workloads/order-events.js';
import { KafkaAdmin } from '../../../src/kafka/kafka-admin.js';
import { eventually, readTopic } from '../../support/kafka-test-kit.js';
import { generateWithOracle, header, produceGenerated, readDeadLetters, useTopologyRun } from '../../support/topology-e2e.js';

const stack = inject('stack');
const TOPOLOGIES = ['order-processing', 'order-analytics', 'order-storage'];
const WAIT_MS = 120_000;

const ms = (column: string, as: string): string => `(extract(epoch from ${column}) * 1000)::bigint::text as ${as}`;

/**
 * The three order-events topologies in one `sluice run` process, on an input `produce` writes to
 * `order-events` before they start; PostgreSQL and the dead-letter topics against the generator's oracle.
 */
function orderEventsSuite(title: string, produce: (env: NodeJS.ProcessEnv) => Promise<OrderEventsOracle>, nonTrivial: (oracle: OrderEventsOracle) => void): void {
describe(title, () => {
  let oracle: OrderEventsOracle;
  let db: pg.Client;

  const run = useTopologyRun(stack, TOPOLOGIES, produce);
  beforeAll(() => {
    ({ oracle, db } = run);
  });

  /** Polls `read` until it returns as many rows as `expected`, then compares exactly. */
  async function converge(read: () => Promise<string[]>, expected: string[]): Promise<void> {
    let actual: string[] = [];
    const mismatch = await eventually(async () => {
      actual = (await read()).sort();
      return actual.length === expected.length ? undefined : `${actual.length} rows, expected ${expected.length}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(actual).toEqual([...expected].sort());
  }

  it('the oracle is not trivial', () => {
    nonTrivial(oracle);
    expect(oracle.processing.deadLetters.invalid).toBeGreaterThan(0);
    expect(oracle.analytics.deadLetters.late).toBeGreaterThan(0);
    expect(oracle.processing.deadLetters.rejected.length).toBeGreaterThan(0);
  });

  it('order-storage: order_events holds every event of the topic, invalid and late ones included', async () => {
    const expected = oracle.storage.events.map((e) => [e.event_id, e.event_type, e.order_id, e.user_id, e.status, e.source, e.timestamp].join('|'));
    await converge(async () => {
      const { rows } = await db.query<Record<string, string>>(`select event_id::text, event_type, order_id::text, user_id, status, source, ${ms('timestamp', 't')} from order_events`);
      return rows.map((r) => [r.event_id, r.event_type, r.order_id, r.user_id, r.status, r.source, r.t].join('|'));
    }, expected);
    expect(await readDeadLetters(stack.kafkaBootstrapServers, 'order-storage.dlq')).toMatchObject({ total: 0 });
  });

  it('order-processing: order_status has one row per order with its latest state (a non-windowed table)', async () => {
    const row = (value: object) => {
      const o = value as Record<string, unknown>;
      return [o.order_id, o.status, o.user_id, o.source, o.transitions, o.placed_at, o.updated_at].join('|');
    };
    const expected = oracle.processing.orders.map(row);
    // Converging on the row count is not enough here: an order's row is updated in place, so wait for the exact set.
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<Record<string, string>>(
        `select order_id::text, status, user_id, source, transitions::text, ${ms('placed_at', 'placed_at')}, ${ms('updated_at', 'updated_at')} from order_status`,
      );
      const actual = rows.map(row).sort();
      return JSON.stringify(actual) === JSON.stringify([...expected].sort()) ? undefined : `${actual.length} rows, expected ${expected.length}, or states differ`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
  });

  it('order-analytics: order_status_minute counts events per status per minute, split by source', async () => {
    const expected = oracle.analytics.statusMinutes.map((m) => [m.status, m.window_start, m.window_end, m.events, m.web, m.mobile, m.api].join('|'));
    await converge(async () => {
      const { rows } = await db.query<Record<string, string>>(
        `select status, ${ms('window_start', 'ws')}, ${ms('window_end', 'we')}, events::text, web::text, mobile::text, api::text from order_status_minute`,
      );
      return rows.map((r) => [r.status, r.ws, r.we, r.events, r.web, r.mobile, r.api].join('|'));
    }, expected);
  });

  it('each topology accounts for every event (accepted + rejected + malformed, and windowed + late + malformed, are the topic)', async () => {
    const total = oracle.storage.events.length;
    const accepted = oracle.processing.orders.reduce((s, o) => s + o.transitions, 0);
    expect(accepted + oracle.processing.deadLetters.rejected.length + oracle.processing.deadLetters.invalid).toBe(total);
    const perMinute = oracle.analytics.statusMinutes.reduce((s, m) => s + m.events, 0);
    expect(perMinute + oracle.analytics.deadLetters.invalid + oracle.analytics.deadLetters.late).toBe(total);
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ accepted: string; minutes: string }>(
        `select (select coalesce(sum(transitions), 0) from order_status)::text as accepted, (select coalesce(sum(events), 0) from order_status_minute)::text as minutes`,
      );
      const got = rows[0]!;
      return Number(got.accepted) === accepted && Number(got.minutes) === perMinute ? undefined : `accepted ${got.accepted}, minutes ${got.minutes}, expected ${accepted} and ${perMinute}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
  });

  it('order-processing.dlq holds the malformed events (invalid) and every impossible transition (rejected), each with its reason', async () => {
    const d = oracle.processing.deadLetters;
    const want = d.invalid + d.rejected.length;
    const read = async () => {
      const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
      const partitions = await admin.partitionCounts(['order-processing.dlq']).finally(() => admin.close());
      const messages = await readTopic(stack.kafkaBootstrapServers, 'order-processing.dlq', partitions.get('order-processing.dlq') ?? 0);
      const of = (reason: string) => messages.filter((m) => header(m, 'sluice.error.reason') === reason);
      return {
        total: messages.length,
        invalid: of('invalid').map((m) => header(m, 'sluice.error.message')).sort(),
        rejected: of('rejected').map((m) => header(m, 'sluice.error.message')).sort(),
        rejectedSteps: [...new Set(of('rejected').map((m) => header(m, 'sluice.error.step')))],
      };
    };
    let got = await read();
    const mismatch = await eventually(async () => {
      got = await read();
      return got.total >= want ? undefined : `${got.total} dead letters, expected ${want}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(got).toEqual({ total: want, invalid: [...d.messages].sort(), rejected: [...d.rejected], rejectedSteps: ['lifecycle'] });
  });

  for (const dlq of ['order-analytics.dlq']) {
    it(`${dlq} holds the malformed events with their reasons and the late ones as late`, async () => {
      const d = oracle.analytics.deadLetters;
      const want = d.invalid + d.late;
      let summary = await readDeadLetters(stack.kafkaBootstrapServers, dlq);
      const mismatch = await eventually(async () => {
        summary = await readDeadLetters(stack.kafkaBootstrapServers, dlq);
        return summary.total >= want ? undefined : `${summary.total} dead letters, expected ${want}`;
      }, WAIT_MS, 1_000);
      expect(mismatch).toBeUndefined();
      expect(summary).toEqual({ total: want, invalid: d.invalid, late: d.late, other: [], messages: [...d.messages].sort() });
    });
  }
});
}

// `sluice generate order-events` as a user runs it (a 3-partition topic), 500 records at its default 20
// records per second of event time (±2 s jitter): a span under 30 s, inside order-analytics' 30 s grace,
// so catching up the pre-loaded backlog cannot make a valid event late (README "Known limits"). Late
// copies are 2 h older than an event of the same order produced before them: late for order-analytics
// whatever the interleaving, and rejected by order-processing (its state is per order, in the order
// Kafka keeps per key). Under 30 s of event time an order only reaches PLACED (its next step is 0.5–3 min away).
orderEventsSuite(
  'order-events end to end (sluice generate, 3 partitions, 25 s of event time): the three topologies on one topic',
  (env) => generateWithOracle<OrderEventsOracle>('order-events', ['--count', '500', '--seed', '303', '--invalid-ratio', '0.08', '--late-ratio', '0.02'], env),
  (oracle) => {
    expect(oracle.storage.events.length).toBe(500);
    expect(oracle.processing.orders.length).toBeGreaterThan(100);
  },
);

// Whole lifecycles need ~40 min of event time, far beyond order-analytics' 30 s grace: a 3-partition
// backlog that long would make valid events late on catch-up (README "Known limits"). So the same
// generator (same records and oracle as `sluice generate`, seeded) is produced in-process into a
// 1-partition order-events topic: one source task writes every repartition partition in event-time
// order (±2 s jitter), so no valid event can be late and the oracle is exact.
const LIFECYCLE_RECORDS = 5_000;
orderEventsSuite(
  'order-events end to end (whole lifecycles, 1 partition, ~42 min of event time): the three topologies on one topic',
  async () => {
    const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await admin.ensureTopics([{ name: 'order-events', partitions: 1 }]);
    } finally {
      admin.close();
    }
    const eventsPerSecond = 2;
    const options = { seed: 77, startMs: Date.now() - (LIFECYCLE_RECORDS / eventsPerSecond) * 1000, eventsPerSecond, invalidRatio: 0.06, lateRatio: 0.01 };
    const records = take(orderEventsWorkload.records(options), LIFECYCLE_RECORDS);
    await produceGenerated(stack, [{ name: 'order-events', schema: 'order-event' }], records);
    return orderEventsWorkload.oracle(records);
  },
  (oracle) => {
    const statuses = new Set(oracle.processing.orders.map((o) => o.status));
    expect([...statuses].sort()).toEqual(['CONFIRMED', 'DELIVERED', 'PLACED', 'SHIPPED']);
    expect(oracle.processing.orders.filter((o) => o.status === 'DELIVERED').length).toBeGreaterThan(50);
  },
);
