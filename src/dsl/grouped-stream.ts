import type { StepSpec } from '../plan/topology-spec.js';
import type { Duration, WindowSpec } from '../state/index.js';
import type { StreamContext } from './stream-context.js';
import { TrackedStream, type TrackOptions } from './tracked-stream.js';
import { WindowedStream } from './windowed-stream.js';

/**
 * Options of {@link GroupedStream.window}.
 *
 * @example
 * ```ts
 * .groupBy('by-route', 'route_id').window('per-minute', tumbling('1m'), { grace: '30s', emit: 'final' }).aggregate('stats', { events: count() })
 * // describe() shows:
 * //   Window: per-minute (tumbling 1m, grace 30s, emit final, late: dead-letter)
 * //   Aggregate: stats (key: route_id, events: count, changelog: bus.stats-changelog)
 * ```
 */
export interface WindowOptions {
  /** How long after a window's end out-of-order records are still accepted. Default 0. */
  readonly grace?: Duration;
  /**
   * `update` (default): each batch writes the latest value of every window it
   * changed (updates within a batch are coalesced, like Kafka Streams' record
   * cache); `final`: one record per window, when it closes.
   */
  readonly emit?: 'update' | 'final';
  /** Close windows on wall-clock time when the partition has been idle this long. */
  readonly idleClose?: Duration;
  /** How long window state is kept; must be at least size + grace. Default size + grace. */
  readonly retention?: Duration;
  /** Late records go to the dead-letter topic (default) or are dropped; both are counted. */
  readonly late?: 'dead-letter' | 'drop';
  /**
   * State budget: the most windows (or sessions) this step keeps open per
   * task (input partition). A record that would open a window beyond it is
   * dead-lettered with reason `state-full` (counted in
   * `sluice_state_overflow_total`); records for windows already open are
   * still applied. Default: `sluice run --max-open-windows` (1,000,000), none
   * in the `TopologyTestDriver`.
   */
  readonly maxOpenWindows?: number;
}

/**
 * A stream grouped by key: next comes a window, or per-key state (`track`).
 *
 * @example
 * ```ts
 * stream.groupBy('by-route', 'route_id').window('per-minute', tumbling('1m'), { grace: '30s' })
 * ```
 */
export class GroupedStream<T, K extends string> {
  readonly #ctx: StreamContext;
  readonly #steps: readonly StepSpec[];
  declare readonly __types?: [T, K];

  /** @internal Created by `Stream.groupBy`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    this.#ctx = ctx;
    this.#steps = steps;
  }

  /**
   * Assigns each record to event-time windows: `tumbling(size)`,
   * `hopping(size, advance)` or `session(gap)`. A window `[start, end)`
   * accepts records while the task's watermark is below `end + grace`.
   *
   * @example
   * ```ts
   * .window('per-minute', tumbling('1m'), { grace: '30s', emit: 'update' })
   * ```
   */
  window(name: string, spec: WindowSpec, options: WindowOptions = {}): WindowedStream<T, K> {
    const step: StepSpec = {
      kind: 'window',
      name,
      window: spec,
      grace: options.grace ?? 0,
      emit: options.emit ?? 'update',
      late: options.late ?? 'dead-letter',
      ...(options.idleClose === undefined ? {} : { idleClose: options.idleClose }),
      ...(options.retention === undefined ? {} : { retention: options.retention }),
      ...(options.maxOpenWindows === undefined ? {} : { maxOpenWindows: options.maxOpenWindows }),
    };
    return new WindowedStream<T, K>(this.#ctx, [...this.#steps, Object.freeze(step)]);
  }

  /**
   * Keeps a state per key outside windows (Kafka Streams' `aggregate` on a
   * grouped stream, plus the power to say no): `update(state, record)`
   * returns the next state, or a string — the reason the record is
   * impossible, which sends it to the dead-letter topic with reason
   * `rejected` and leaves the state as it was. Records of a key are applied
   * in offset order. The state type `S` comes from `initial` (or explicitly,
   * e.g. the schema's generated type), and must have the key column `K`.
   *
   * @example
   * ```ts
   * .groupByKey('by-order', { as: 'order_id' })
   * .track<OrderState>('lifecycle', {
   *   schema: 'order-state',
   *   initial: (order_id) => ({ order_id, status: 'NONE', updated_at: 0 }),
   *   update: (s, e) => (NEXT[s.status] === e.status ? { ...s, status: e.status, updated_at: e.timestamp } : `${s.status} → ${e.status}`),
   * })
   * .toTable('orders.state')
   * ```
   */
  track<S extends Readonly<Record<K, string>>>(name: string, options: TrackOptions<T, K, S>): TrackedStream<S> {
    const step: StepSpec = {
      kind: 'track',
      name,
      schema: options.schema,
      initial: options.initial,
      update: options.update as (state: unknown, value: unknown) => unknown,
    };
    return new TrackedStream<S>(this.#ctx, [...this.#steps, Object.freeze(step)]);
  }
}
