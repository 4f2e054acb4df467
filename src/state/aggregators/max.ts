import type { AggregatorSpec } from './aggregator-spec.js';
import { extremum } from './extremum-internals.js';

/**
 * Largest `f(record)`. Result Avro type `['null', 'double']`: `null` for no
 * records. `NaN` values are ignored. Restores from its own result field.
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { max_speed: max(e => e.speed_kmh) }) // { max_speed: 88 }
 * ```
 */
export function max<T>(f: (record: T) => number): AggregatorSpec<T, number | null, number | null> {
  return extremum('max', f, (candidate, current) => candidate > current);
}
