import type { AggregateMap, AggregateResult } from '../state/index.js';

/**
 * Names of the fields of `T` whose values are of type `V`.
 *
 * @example
 * ```ts
 * type F = FieldsOfType<{ id: string; at: number }, number>; // 'at'
 * ```
 */
export type FieldsOfType<T, V> = { [K in keyof T]-?: T[K] extends V ? K : never }[keyof T] & string;

/**
 * How a source finds a record's event time (epoch ms): a numeric field of the
 * value, a function of the value, or `'record-timestamp'` (the Kafka record's
 * own timestamp). Not `'timestamp'`: that is a common field name
 * (as in the bus-telemetry schema) and would be ambiguous.
 *
 * @example
 * ```ts
 * const a: EventTime<{ at: number }> = 'at';
 * const b: EventTime<{ at: number }> = (v) => v.at;
 * const c: EventTime<{ at: number }> = 'record-timestamp';
 * // describe() shows them as: event time: field at | event time: function | event time: record timestamp
 * ```
 */
export type EventTime<T> = FieldsOfType<T, number> | ((value: T) => number) | 'record-timestamp';

/**
 * A map of aggregate field names to aggregators over records of type `T`.
 *
 * @example
 * ```ts
 * const aggs: Aggregators<{ speed: number }> = { events: count(), top: max((e) => e.speed) };
 * ```
 */
export type Aggregators<T> = AggregateMap<T>;

/**
 * Flattens an intersection for readable hover types.
 *
 * @example
 * ```ts
 * type S = Simplify<{ a: 1 } & { b: 2 }>; // { a: 1; b: 2 }
 * ```
 */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * One row of a windowed aggregate: the group key column, the window bounds
 * and one field per aggregator.
 *
 * @example
 * ```ts
 * type Row = AggregateRow<'route_id', { events: AggregatorSpec<Bus, number, number> }>;
 * // { route_id: string; window_start: number; window_end: number; events: number }
 * ```
 */
export type AggregateRow<K extends string, A> = Simplify<
  { [P in K]: string } & { window_start: number; window_end: number } & AggregateResult<A>
>;
