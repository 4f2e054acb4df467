/**
 * An Avro type as plain JSON (a primitive name, a union, or a complex type
 * object), as avsc's `Type.forSchema` accepts it.
 *
 * @example
 * ```ts
 * const t: AvroType = ['null', 'double'];
 * ```
 */
export type AvroType =
  | 'null'
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'bytes'
  | 'string'
  | readonly AvroType[]
  | { readonly type: string; readonly [property: string]: unknown };

/**
 * One field of an Avro record.
 *
 * @example
 * ```ts
 * const f: AvroField = { name: 'avg_speed__count', type: 'long' };
 * ```
 */
export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly default?: unknown;
  readonly doc?: string;
}

/**
 * The built-in aggregator kinds; `reducer` is any user-defined one.
 *
 * @example
 * ```ts
 * avg((e: E) => e.speed).kind; // 'avg'
 * ```
 */
export type AggregatorKind = 'count' | 'countWhere' | 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last' | 'reducer';

/**
 * How to fold records of type `T` into an accumulator `A` and read a result
 * `R` from it, and how to persist `A` in the table topic so a restarted task
 * can carry on. Pure data with functions: no I/O, no hidden state.
 *
 * `add` and `merge` may mutate their first argument and return it; the store
 * always keeps what they return.
 *
 * @example
 * ```ts
 * const spec = avg((e: { speed: number }) => e.speed);
 * let acc = spec.init();
 * acc = spec.add(acc, { speed: 10 });
 * acc = spec.add(acc, { speed: 20 });
 * spec.result(acc); // 15
 * const value: Record<string, unknown> = {};
 * spec.toState(acc, 'avg_speed', value); // { avg_speed__sum: 30, avg_speed__count: 2 }
 * ```
 */
export interface AggregatorSpec<T, A, R> {
  readonly kind: AggregatorKind;
  /** Avro type of the result field in the table value. */
  readonly resultAvroType: AvroType;
  /** False when `merge` is unavailable: the aggregator cannot be used with session windows. */
  readonly canMerge: boolean;
  /**
   * Optional: why `record` cannot be folded (e.g. a fraction for a `long`
   * sum), or `undefined`. The window step asks every aggregator of the map
   * before it updates any window, and dead-letters a refused record with
   * reason `invalid`, so a record is applied whole or not at all.
   */
  refuse?(record: T): string | undefined;
  init(): A;
  add(acc: A, record: T): A;
  /** Combines two accumulators (session merges). Throws when `canMerge` is false. */
  merge(a: A, b: A): A;
  result(acc: A): R;
  /**
   * Extra Avro fields, beyond the result field `fieldName`, that hold the
   * accumulator in the table value; empty when the result itself is enough.
   */
  stateAvroFields(fieldName: string): readonly AvroField[];
  /** Writes what {@link AggregatorSpec.fromState} needs into the table value `into`. */
  toState(acc: A, fieldName: string, into: Record<string, unknown>): void;
  /** Rebuilds the accumulator from a table value written by `toState`. */
  fromState(record: Readonly<Record<string, unknown>>, fieldName: string): A;
  /**
   * Optional: the accumulator as a few float64 slots, so a store can keep it
   * in one typed array instead of an object per window. The built-in numeric
   * aggregators have it; without it a store keeps the accumulator as it is.
   */
  readonly flat?: FlatAccumulator<T, A>;
}

/**
 * An accumulator kept in `width` consecutive float64 slots from `at`
 * (`count`, `sum`, `min`, `max`: one slot; `avg`: two). `read` and `write`
 * convert to and from the accumulator `A` of the spec, for results, table
 * values and restore.
 *
 * @example
 * ```ts
 * const slots = new Float64Array(1);
 * count().flat!.init(slots, 0);
 * count().flat!.add(slots, 0, record); // slots[0] === 1
 * ```
 */
export interface FlatAccumulator<T, A> {
  readonly width: number;
  init(slots: Float64Array, at: number): void;
  add(slots: Float64Array, at: number, record: T): void;
  read(slots: Float64Array, at: number): A;
  write(slots: Float64Array, at: number, acc: A): void;
}

/**
 * Any aggregator over records `T`, with its accumulator and result types
 * erased; what an aggregate map holds.
 *
 * @example
 * ```ts
 * const specs: AnyAggregatorSpec<Trip>[] = [count(), avg(t => t.km)];
 * ```
 */
// Method syntax in AggregatorSpec keeps parameters bivariant, so every
// AggregatorSpec<T, A, R> is assignable to this without `any`.
export type AnyAggregatorSpec<T> = AggregatorSpec<T, unknown, unknown>;
