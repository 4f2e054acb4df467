import type { StepSpec } from '../plan/topology-spec.js';
import type { StreamContext } from './stream-context.js';
import { Output } from './topology-builder.js';

/**
 * The rows of a windowed aggregate: write them to a table topic.
 *
 * @example
 * ```ts
 * aggregated.toTable('bus.route-stats.1m').sink('route-stats-pg', postgres({ table: 'bus_route_minute' }))
 * ```
 */
export class AggregatedStream<R> {
  readonly #ctx: StreamContext;
  readonly #steps: readonly StepSpec[];
  declare readonly __rowType?: R;

  /** @internal Created by `WindowedStream.aggregate`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    this.#ctx = ctx;
    this.#steps = steps;
  }

  /**
   * Writes the aggregate to a compacted table topic keyed by group key and
   * window start; it is also the changelog that restores window state.
   *
   * @example
   * ```ts
   * .toTable('bus.route-stats.1m')
   * ```
   */
  toTable(topic: string): Output<R> {
    return new Output<R>(this.#ctx, [...this.#steps, Object.freeze({ kind: 'to-table' as const, topic })]);
  }
}
