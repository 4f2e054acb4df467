import type { AnyAggregatorSpec, AvroField } from './aggregator-spec.js';

/**
 * Named aggregators over records `T`; the names become fields of the table
 * value and columns of the sink. Field order is the object's key order.
 *
 * @example
 * ```ts
 * const stats = { events: count(), avg_speed: avg((e: Telemetry) => e.speed_kmh) } satisfies AggregateMap<Telemetry>;
 * ```
 */
export type AggregateMap<T> = { readonly [field: string]: AnyAggregatorSpec<T> };

/**
 * The result record of an aggregate map.
 *
 * @example
 * ```ts
 * type R = AggregateResult<{ events: AggregatorSpec<E, number, number>; low: AggregatorSpec<E, number | null, number | null> }>;
 * // { events: number; low: number | null }
 * ```
 */
export type AggregateResult<M> = {
  -readonly [K in keyof M]: M[K] extends { result(acc: never): infer R } ? R : never;
};

/**
 * An aggregate map flattened into arrays for the per-record path, plus the
 * table-value conversions around it. Accumulators are `unknown[]`, one per
 * field in map order.
 *
 * @example
 * ```ts
 * const aggs = new CompiledAggregates({ events: count(), avg_speed: avg((e: E) => e.speed) });
 * const accs = aggs.init();
 * aggs.add(accs, { speed: 10 });
 * aggs.results(accs);            // { events: 1, avg_speed: 10 }
 * aggs.toTableValue(accs);       // { events: 1, avg_speed: 10, avg_speed__sum: 10, avg_speed__count: 1 }
 * ```
 */
export class CompiledAggregates<T> {
  readonly names: readonly string[];
  readonly specs: readonly AnyAggregatorSpec<T>[];

  constructor(map: AggregateMap<T>) {
    this.names = Object.freeze(Object.keys(map));
    this.specs = Object.freeze(this.names.map((name) => map[name]!));
    if (this.names.length === 0) throw new Error('an aggregate needs at least one field, e.g. { events: count() }');
    const seen = new Set<string>();
    for (const { name } of this.avroFields()) {
      if (seen.has(name)) {
        throw new Error(`aggregate field "${name}" is defined twice (state fields use the suffixes __sum, __count, __state); rename it`);
      }
      seen.add(name);
    }
  }

  /** Whether every aggregator can merge, i.e. the map can be used with session windows. */
  get canMerge(): boolean {
    return this.specs.every((s) => s.canMerge);
  }

  init(): unknown[] {
    const accs = new Array<unknown>(this.specs.length);
    for (let i = 0; i < accs.length; i++) accs[i] = this.specs[i]!.init();
    return accs;
  }

  /** Folds one record into `accs` in place. */
  add(accs: unknown[], record: T): void {
    const specs = this.specs;
    for (let i = 0; i < specs.length; i++) accs[i] = specs[i]!.add(accs[i], record);
  }

  /** Merges `from` into `into` in place. */
  merge(into: unknown[], from: readonly unknown[]): void {
    const specs = this.specs;
    for (let i = 0; i < specs.length; i++) into[i] = specs[i]!.merge(into[i], from[i]);
  }

  /** The result record, `{ [field]: result }`. */
  results(accs: readonly unknown[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.specs.length; i++) out[this.names[i]!] = this.specs[i]!.result(accs[i]);
    return out;
  }

  /** Results plus the state fields needed by {@link CompiledAggregates.fromTableValue}. */
  toTableValue(accs: readonly unknown[], into: Record<string, unknown> = {}): Record<string, unknown> {
    for (let i = 0; i < this.specs.length; i++) {
      const name = this.names[i]!;
      const spec = this.specs[i]!;
      into[name] = spec.result(accs[i]);
      spec.toState(accs[i], name, into);
    }
    return into;
  }

  /** Accumulators from a table value written by {@link CompiledAggregates.toTableValue}. */
  fromTableValue(value: Readonly<Record<string, unknown>>): unknown[] {
    return this.specs.map((spec, i) => spec.fromState(value, this.names[i]!));
  }

  /** Avro fields of the table value: each result field, then its state fields. */
  avroFields(): AvroField[] {
    const fields: AvroField[] = [];
    for (let i = 0; i < this.specs.length; i++) {
      const name = this.names[i]!;
      const spec = this.specs[i]!;
      fields.push({ name, type: spec.resultAvroType }, ...spec.stateAvroFields(name));
    }
    return fields;
  }
}
