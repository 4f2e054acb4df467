import type { StepSpec } from '../plan/topology-spec.js';
import type { AnyAggregatorSpec } from '../state/index.js';
import { AggregatedStream } from './aggregated-stream.js';
import type { AggregateRow, Aggregators } from './dsl-types.js';
import type { StreamContext } from './stream-context.js';

/**
 * A grouped and windowed stream: next comes the aggregate.
 *
 * @example
 * ```ts
 * windowed.aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh) })
 * ```
 */
export class WindowedStream<T, K extends string> {
  readonly #ctx: StreamContext;
  readonly #steps: readonly StepSpec[];
  declare readonly __types?: [T, K];

  /** @internal Created by `GroupedStream.window`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    this.#ctx = ctx;
    this.#steps = steps;
  }

  /**
   * Aggregates each key's window into one row with a field per aggregator.
   * The row type is inferred: `{ [key]: string, window_start, window_end, ...fields }`.
   * Each field's Avro type in the table topic (and so the column it needs):
   *
   * | aggregator | Avro type | PostgreSQL column |
   * |---|---|---|
   * | `count()`, `countWhere(p)` | `long` | `bigint` |
   * | `sum(f)` | `double` | `double precision` |
   * | `sum(f, { type: 'long' })` | `long` (whole numbers only; others dead-lettered, reason `invalid`) | `bigint` |
   * | `avg(f)` | `double` (+ state `__sum` double, `__count` long) | `double precision` |
   * | `min(f)`, `max(f)` | `double` or null | `double precision` |
   * | `first(f, { by })`, `last(f, { by })` | `double` or null (+ state `__by`) | `double precision` |
   * | `reducer({ … })` | its `resultAvroType` (default its state's type; + state `__state`) | per type |
   *
   * A record some aggregator refuses (a fraction for a long sum) is
   * dead-lettered before any window is updated, so the chain needs a
   * `.deadLetter()` topic.
   *
   * @example
   * ```ts
   * .aggregate('route-stats', { events: count(), max_speed: max((e) => e.speed_kmh) })
   * // rows: { route_id: string; window_start: number; window_end: number; events: number; max_speed: number }
   * ```
   */
  aggregate<A extends Aggregators<T>>(name: string, aggregators: A): AggregatedStream<AggregateRow<K, A>> {
    const step: StepSpec = {
      kind: 'aggregate',
      name,
      aggregators: Object.freeze({ ...aggregators }) as unknown as Readonly<Record<string, AnyAggregatorSpec<unknown>>>,
    };
    return new AggregatedStream<AggregateRow<K, A>>(this.#ctx, [...this.#steps, Object.freeze(step)]);
  }
}
