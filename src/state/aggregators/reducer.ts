import type { AggregatorSpec, AvroField, AvroType } from './aggregator-spec.js';

/**
 * How a custom accumulator is kept in the table value, in one field `<field>__state`.
 *
 * @example
 * ```ts
 * const state: ReducerState<string[]> = { avroType: { type: 'array', items: 'string' }, toState: a => a, fromState: v => v as string[] };
 * ```
 */
export interface ReducerState<A> {
  /** Avro type of the `<field>__state` field. */
  readonly avroType: AvroType;
  /** Accumulator → a value of `avroType`. */
  toState(acc: A): unknown;
  /** A decoded value of `avroType` → accumulator. */
  fromState(value: unknown): A;
}

/**
 * Definition of a custom aggregator for {@link reducer}.
 *
 * @example
 * ```ts
 * const def: ReducerDefinition<E, number, number> = {
 *   init: () => 0, add: (a, e) => a + e.n, merge: (a, b) => a + b,
 *   state: { avroType: 'long', toState: a => a, fromState: v => v as number },
 * };
 * ```
 */
export interface ReducerDefinition<T, A, R> {
  init(): A;
  /** May mutate `acc` and return it. */
  add(acc: A, record: T): A;
  /** Needed for session windows; may mutate `a` and return it. */
  merge?(a: A, b: A): A;
  /** Defaults to the accumulator itself. */
  result?(acc: A): R;
  /** Avro type of the result field; defaults to `state.avroType` (right when `result` is omitted). */
  readonly resultAvroType?: AvroType;
  readonly state: ReducerState<A>;
}

/**
 * A custom aggregator. Its accumulator is persisted in an extra field
 * `<field>__state`, so restore never depends on inverting `result`.
 *
 * @example
 * ```ts
 * const distinctBuses = reducer<Telemetry, string[], number>({
 *   init: () => [],
 *   add: (ids, e) => (ids.includes(e.bus_id) ? ids : [...ids, e.bus_id]),
 *   merge: (a, b) => [...new Set([...a, ...b])],
 *   result: ids => ids.length,
 *   resultAvroType: 'long',
 *   state: { avroType: { type: 'array', items: 'string' }, toState: ids => ids, fromState: v => v as string[] },
 * });
 * .aggregate('route-stats', { buses: distinctBuses }) // table value: { buses: 3, buses__state: ['b1','b2','b7'] }
 * ```
 */
export function reducer<T, A, R = A>(definition: ReducerDefinition<T, A, R>): AggregatorSpec<T, A, R> {
  const { init, add, merge, result, state } = definition;
  return Object.freeze({
    kind: 'reducer',
    resultAvroType: definition.resultAvroType ?? state.avroType,
    canMerge: merge !== undefined,
    init: () => init(),
    add: (acc: A, record: T) => add(acc, record),
    merge(a: A, b: A): A {
      if (merge === undefined) {
        throw new Error('this reducer has no merge(a, b); give it one to use it with session windows');
      }
      return merge(a, b);
    },
    // Without `result`, R defaults to A, so the accumulator is the result.
    result: (acc: A): R => (result === undefined ? (acc as unknown as R) : result(acc)),
    stateAvroFields: (fieldName: string): readonly AvroField[] => [{ name: stateField(fieldName), type: state.avroType }],
    toState(acc: A, fieldName: string, into: Record<string, unknown>) {
      into[stateField(fieldName)] = state.toState(acc);
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string): A => {
      const field = stateField(fieldName);
      if (!(field in record)) {
        throw new Error(`cannot restore reducer state: the table value has no field "${field}"`);
      }
      return state.fromState(record[field]);
    },
  });
}

const stateField = (fieldName: string): string => `${fieldName}__state`;
