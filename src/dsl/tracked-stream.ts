import type { SchemaRef, StepSpec } from '../plan/topology-spec.js';
import type { StreamContext } from './stream-context.js';
import { Output } from './topology-builder.js';

/**
 * Options of {@link GroupedStream.track}: the state's Avro schema, its value
 * for a key never seen, and how a record changes it.
 *
 * @example
 * ```ts
 * const lifecycle: TrackOptions<OrderEvent, 'order_id', OrderState> = {
 *   schema: 'order-state',
 *   initial: (order_id) => ({ order_id, status: 'NONE', events: 0 }),
 *   update: (s, e) => (e.status === next(s.status) ? { ...s, status: e.status, events: s.events + 1 } : `${s.status} → ${e.status}`),
 * };
 * // .groupByKey('by-id', { as: 'id' }).track('lifecycle', lifecycle).toTable('orders.state') — describe() shows:
 * //   Group: by-id (key: id, record key, no repartition)
 * //   Track: lifecycle (key: id, state: order-state, rejects to: orders.dlq)
 * //   Table: orders.state (topic: orders.state, compacted, key: id)
 * ```
 */
export interface TrackOptions<T, K extends string, S extends Readonly<Record<K, string>>> {
  /**
   * The state's Avro record schema (`schemas/<name>.avsc` or inline). It must
   * have the key column `K` as a string field: the table row is the state.
   */
  readonly schema: SchemaRef;
  /** The state of a key before its first record (the key column always ends up holding the key). */
  readonly initial: (key: string) => S;
  /**
   * The next state, or a string: the reason the record is impossible. A
   * rejected record goes to the dead-letter topic with reason `rejected` and
   * leaves the state unchanged. The state is frozen: return a new object.
   */
  readonly update: (state: Readonly<S>, record: T) => NoInfer<S> | string;
}

/**
 * Per-key state, as a table: next comes `.toTable(topic)`.
 *
 * @example
 * ```ts
 * tracked.toTable('orders.state').sink('order-status-pg', postgres({ table: 'order_status', key: ['order_id'] }))
 * ```
 */
export class TrackedStream<S> {
  readonly #ctx: StreamContext;
  readonly #steps: readonly StepSpec[];
  declare readonly __stateType?: S;

  /** @internal Created by `GroupedStream.track`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    this.#ctx = ctx;
    this.#steps = steps;
  }

  /**
   * Writes the latest state per key to a compacted table topic keyed by the
   * group key alone (one row per key, no window columns); it is also the
   * changelog that restores the state.
   *
   * @example
   * ```ts
   * .toTable('orders.state')
   * ```
   */
  toTable(topic: string): Output<S> {
    return new Output<S>(this.#ctx, [...this.#steps, Object.freeze({ kind: 'to-table' as const, topic })]);
  }
}
