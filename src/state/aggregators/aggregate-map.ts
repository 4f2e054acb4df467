import type { AnyAggregatorSpec, AvroField, FlatAccumulator } from './aggregator-spec.js';
import { errorText } from '../../error-text.js';

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
  /**
   * Float64 slots per window for the fields kept flat (every built-in
   * aggregator); see {@link CompiledAggregates.initSlots}.
   */
  readonly flatWidth: number;
  /** Whether some field (a `reducer`) keeps an accumulator object instead. */
  readonly hasObjects: boolean;
  /** Whether some aggregator may refuse a record (see {@link CompiledAggregates.refusal}). */
  readonly refuses: boolean;
  /** Indexes of the fields whose aggregator has `refuse`. */
  private readonly refusing: readonly number[];
  /** Per field: its offset in the flat slots, or -1 when it keeps an object. */
  private readonly offsets: Int32Array;
  private readonly flats: readonly (FlatAccumulator<T, unknown> | undefined)[];

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
    this.flats = Object.freeze(this.specs.map((s) => s.flat));
    this.offsets = new Int32Array(this.specs.length);
    let width = 0;
    for (let i = 0; i < this.specs.length; i++) {
      const flat = this.flats[i];
      this.offsets[i] = flat === undefined ? -1 : width;
      width += flat?.width ?? 0;
    }
    this.flatWidth = width;
    this.hasObjects = this.flats.some((f) => f === undefined);
    this.refusing = Object.freeze(this.specs.flatMap((s, i) => (s.refuse === undefined ? [] : [i])));
    this.refuses = this.refusing.length > 0;
  }

  /**
   * Why `record` cannot be folded into these aggregates — the first
   * aggregator's reason, prefixed with its field — or `undefined` when every
   * aggregator takes it. Asked before any window is updated, so a refused
   * record changes nothing. A `refuse` that throws is a refusal too.
   *
   * @example
   * ```ts
   * new CompiledAggregates({ vehicles: sum((e: E) => e.n, { type: 'long' }) }).refusal({ n: 2.5 });
   * // aggregate field "vehicles": sum(…, { type: 'long' }) takes whole numbers, got 2.5
   * ```
   */
  refusal(record: T): string | undefined {
    for (const i of this.refusing) {
      let reason: string | undefined;
      try {
        reason = this.specs[i]!.refuse!(record);
      } catch (error) {
        reason = `its function threw: ${errorText(error)}`;
      }
      if (reason !== undefined) return `aggregate field "${this.names[i]!}": ${reason}`;
    }
    return undefined;
  }

  /**
   * Starts a window's accumulators: flat fields in `slots[at …]`, the others
   * in the returned array (undefined when every field is flat).
   */
  initSlots(slots: Float64Array, at: number): unknown[] | undefined {
    const flats = this.flats;
    let objects: unknown[] | undefined;
    for (let i = 0; i < flats.length; i++) {
      const flat = flats[i];
      if (flat !== undefined) flat.init(slots, at + this.offsets[i]!);
      else (objects ??= new Array<unknown>(flats.length))[i] = this.specs[i]!.init();
    }
    return objects;
  }

  /** Folds one record into a window's accumulators (as laid out by {@link CompiledAggregates.initSlots}). */
  addSlots(slots: Float64Array, at: number, objects: unknown[] | undefined, record: T): void {
    const flats = this.flats;
    for (let i = 0; i < flats.length; i++) {
      const flat = flats[i];
      if (flat !== undefined) flat.add(slots, at + this.offsets[i]!, record);
      else objects![i] = this.specs[i]!.add(objects![i], record);
    }
  }

  /** The accumulators of a window, one per field as {@link CompiledAggregates.init} makes them, into `into`. */
  readSlots(slots: Float64Array, at: number, objects: readonly unknown[] | undefined, into: unknown[] = new Array<unknown>(this.specs.length)): unknown[] {
    const flats = this.flats;
    for (let i = 0; i < flats.length; i++) {
      const flat = flats[i];
      into[i] = flat !== undefined ? flat.read(slots, at + this.offsets[i]!) : objects![i];
    }
    return into;
  }

  /** Lays accumulators (one per field) out as {@link CompiledAggregates.initSlots} does; returns the object part. */
  writeSlots(slots: Float64Array, at: number, accs: readonly unknown[]): unknown[] | undefined {
    const flats = this.flats;
    let objects: unknown[] | undefined;
    for (let i = 0; i < flats.length; i++) {
      const flat = flats[i];
      if (flat !== undefined) flat.write(slots, at + this.offsets[i]!, accs[i]);
      else (objects ??= new Array<unknown>(flats.length))[i] = accs[i];
    }
    return objects;
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
