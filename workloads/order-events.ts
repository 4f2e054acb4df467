import type { OrderEvent, OrderSource, OrderStatus } from '../topologies/types/schemas.js';
import type { EventGenerator, GeneratedRecord, GeneratorOptions } from '../src/cli/generators/event-generator.js';
import { mixRecords } from '../src/cli/generators/mix-records.js';
import { orderEventsOracle, type OrderEventsOracle } from './order-events-oracle.js';
import { SeededRandom } from '../src/cli/generators/seeded-random.js';

/** The lifecycle, in order. */
export const LIFECYCLE: readonly OrderStatus[] = ['PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];

/** The note on a well-formed event that is not its order's next status. */
export const IMPOSSIBLE = 'impossible-transition';

/** Minutes until the next status (a food-delivery pace: every order is done within the hour). */
const NEXT_STEP_MIN: readonly (readonly [number, number])[] = [[0.5, 3], [3, 15], [5, 20]];

interface ActiveOrder {
  readonly id: string;
  readonly user: string;
  readonly source: OrderSource;
  rank: number;
  dueMs: number;
}

/**
 * Orders placed from the web, the app or the API by 500 users, each walking
 * PLACED → CONFIRMED → SHIPPED → DELIVERED within the hour. Keyed by
 * order_id. Of the `invalidRatio`, half are malformed (a user id that is not
 * `user_<digits>`: dead-lettered by processing and analytics, stored by
 * storage) and half impossible transitions (a repeat, a step back or a
 * skip, noted `impossible-transition`: well-formed, so only processing
 * rejects them). Late: a status re-sent 2 hours after the fact (past the
 * minute windows of analytics; processing rejects it as a repeat, a step back
 * or an event older than the order's last transition).
 *
 * @example
 * ```ts
 * take(orderEventsWorkload.records(options), 10_000);
 * ```
 */
export const orderEventsWorkload: EventGenerator<OrderEvent, OrderEventsOracle> = {
  name: 'order-events',
  topologies: ['order-processing', 'order-analytics', 'order-storage'],
  topics: [{ name: 'order-events', partitions: 3, schema: 'order-event' }],
  records: (options: GeneratorOptions) => {
    const random = new SeededRandom(options.seed);
    const active: ActiveOrder[] = [];
    const event = (order: ActiveOrder, status: OrderStatus, nowMs: number, note?: string): GeneratedRecord<OrderEvent> => ({
      topic: 'order-events',
      key: order.id,
      value: {
        event_id: random.uuid(),
        event_type: 'ORDER_EVENT',
        order_id: order.id,
        user_id: order.user,
        status,
        source: order.source,
        timestamp: nowMs - random.int(0, 2_000),
      },
      kind: 'valid',
      ...(note === undefined ? {} : { note }),
    });
    const impossibleShare = options.invalidRatio / 2;
    return mixRecords<OrderEvent>({ ...options, invalidRatio: options.invalidRatio / 2 }, random, {
      lateByMs: 2 * 3_600_000,
      next: (nowMs) => {
        if (active.length > 0 && random.chance(impossibleShare)) {
          const order = random.pick(active);
          const wrong = LIFECYCLE.filter((_, rank) => rank !== order.rank + 1 && rank >= order.rank - 1);
          return event(order, random.pick(wrong), nowMs, IMPOSSIBLE);
        }
        const due = active.filter((o) => o.dueMs <= nowMs);
        // Due steps first, so no order waits: its events stay within the session gap.
        if (due.length > 0) {
          const order = due.reduce((a, b) => (a.dueMs <= b.dueMs ? a : b));
          order.rank += 1;
          const status = LIFECYCLE[order.rank]!;
          if (order.rank === LIFECYCLE.length - 1) active.splice(active.indexOf(order), 1);
          else order.dueMs = nowMs + minutes(random, NEXT_STEP_MIN[order.rank]!);
          return event(order, status, nowMs);
        }
        const order: ActiveOrder = {
          id: random.uuid(),
          user: `user_${random.int(1, 500)}`,
          source: random.weighted<OrderSource>([['WEB', 45], ['MOBILE', 45], ['API', 10]]),
          rank: 0,
          dueMs: nowMs + minutes(random, NEXT_STEP_MIN[0]!),
        };
        active.push(order);
        return event(order, 'PLACED', nowMs);
      },
      spoil: ({ value }) => {
        const user_id = random.pick(['guest', '', 'USER-17', 'user_']);
        return { value: { ...value, event_id: random.uuid(), user_id }, reason: `user_id "${user_id}" is not user_<digits>` };
      },
      age: ({ value }, byMs) => ({ ...value, event_id: random.uuid(), timestamp: value.timestamp - byMs }),
    });
  },
  oracle: orderEventsOracle,
};

function minutes(random: SeededRandom, [lo, hi]: readonly [number, number]): number {
  return Math.round(random.between(lo, hi) * 60_000);
}

export default orderEventsWorkload;
