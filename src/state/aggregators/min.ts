import type { AggregatorSpec } from './aggregator-spec.js';
import { extremum } from './extremum-internals.js';

/**
 * Smallest `f(record)`. Result Avro type `['null', 'double']`: `null` for no
 * records. `NaN` values are ignored. Restores from its own result field.
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { min_speed: min(e => e.speed_kmh) }) // { min_speed: 3.5 }
 * ```
 */
export function min<T>(f: (record: T) => number): AggregatorSpec<T, number | null, number | null> {
  return extremum('min', f, (candidate, current) => candidate < current);
}
