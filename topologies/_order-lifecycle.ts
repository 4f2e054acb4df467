/**
 * The order state machine PLACED → CONFIRMED → SHIPPED → DELIVERED as
 * aggregators, for `order-processing`. Ignored by the topology catalog (the
 * file name starts with `_`).
 *
 * Why aggregators: the DSL's only durable per-key state is a windowed
 * aggregate, so an order's lifecycle is folded there. An event that is not
 * the next status of its order (a skip, a repeat, a step back) is an
 * impossible transition: it is rejected (the state stays) and counted. It
 * cannot reach the dead-letter topic from inside an aggregate — see the
 * topology's header.
 */
import { reducer, type AggregatorSpec } from 'sluice';
import type { OrderEvent, OrderStatus } from './types/schemas.js';

/** The statuses in lifecycle order. */
export const ORDER_STATUSES: readonly OrderStatus[] = ['PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];

/** `rank`: index of the current status (-1 before PLACED); `rejected`: impossible transitions seen. */
export interface Lifecycle {
  rank: number;
  rejected: number;
}

/**
 * Folds an order's events (in arrival order, which Kafka keeps per order id)
 * and reads `result` from the state.
 *
 * @example
 * ```ts
 * .aggregate('lifecycle', { status: lifecycle((s) => ORDER_STATUSES[s.rank] ?? 'NONE', 'string') })
 * ```
 */
export function lifecycle<R>(result: (state: Lifecycle) => R, resultAvroType: 'string' | 'int'): AggregatorSpec<OrderEvent, Lifecycle, R> {
  return reducer<OrderEvent, Lifecycle, R>({
    init: () => ({ rank: -1, rejected: 0 }),
    add: (s, e) => {
      const rank = ORDER_STATUSES.indexOf(e.status);
      if (rank === s.rank + 1) s.rank = rank;
      else s.rejected += 1;
      return s;
    },
    // Sessions merge only when a late-ish event bridges two of them; the
    // further-advanced lifecycle wins and rejections add up.
    merge: (a, b) => ({ rank: Math.max(a.rank, b.rank), rejected: a.rejected + b.rejected }),
    result,
    resultAvroType,
    // A map, not a named record: two fields of one table value may use this state.
    state: { avroType: { type: 'map', values: 'int' }, toState: (s) => ({ ...s }), fromState: (v) => ({ ...(v as Lifecycle) }) },
  });
}

/** The order's current status (`NONE` until it is placed). */
export const currentStatus = (): AggregatorSpec<OrderEvent, Lifecycle, string> =>
  lifecycle((s) => ORDER_STATUSES[s.rank] ?? 'NONE', 'string');

/** How many of the order's events were impossible transitions. */
export const impossibleTransitions = (): AggregatorSpec<OrderEvent, Lifecycle, number> => lifecycle((s) => s.rejected, 'int');
