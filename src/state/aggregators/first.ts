import type { AggregatorSpec } from './aggregator-spec.js';
import { orderedPick, type OrderedPick, type OrderedPickOptions } from './ordered-pick-internals.js';

/**
 * The value `f(record)` of the earliest record by `by` (usually its event
 * time); on a tie, the smaller value. Result Avro type `['null', 'double']`
 * (`null` for no records); records whose `by` or value is NaN are ignored.
 * The order is kept in an extra state field `<field>__by` (`['null', 'double']`).
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { first_speed: first((e) => e.speed_kmh, { by: (e) => e.timestamp }) })
 * // table value: { first_speed: 31.5, first_speed__by: 1700000000000 }
 * ```
 */
export function first<T>(f: (record: T) => number, options: OrderedPickOptions<T>): AggregatorSpec<T, OrderedPick, number | null> {
  return orderedPick('first', f, options);
}
