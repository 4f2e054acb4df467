import type { AggregatorSpec } from './aggregator-spec.js';
import { orderedPick, type OrderedPick, type OrderedPickOptions } from './ordered-pick-internals.js';

/**
 * The value `f(record)` of the latest record by `by` (usually its event
 * time); on a tie, the larger value. Result Avro type `['null', 'double']`
 * (`null` for no records); records whose `by` or value is NaN are ignored.
 * The order is kept in an extra state field `<field>__by` (`['null', 'double']`).
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { last_speed: last((e) => e.speed_kmh, { by: (e) => e.timestamp }) })
 * // table value: { last_speed: 12, last_speed__by: 1700000059000 }
 * ```
 */
export function last<T>(f: (record: T) => number, options: OrderedPickOptions<T>): AggregatorSpec<T, OrderedPick, number | null> {
  return orderedPick('last', f, options);
}
