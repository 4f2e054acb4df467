import type { OperatorFunction } from 'rxjs';
import type { ArmSpec, SchemaRef, SinkSpec, StepSpec } from '../plan/topology-spec.js';
import { finishedArm } from './arm-steps.js';
import { Branches } from './branches.js';
import type { FieldsOfType } from './dsl-types.js';
import { GroupedStream } from './grouped-stream.js';
import type { StreamContext } from './stream-context.js';
import { Output, type Topology } from './topology-builder.js';

/**
 * A typed record stream under construction. Immutable: every method returns
 * a new builder, so a prefix can be shared safely.
 *
 * @example
 * ```ts
 * const fast = topology('t').source<Bus>('bus', { schema: 'bus', eventTime: 'timestamp' })
 *   .pipe('fast-only', filter((e) => e.speed_kmh > 100), map((e) => e.bus_id));
 * // fast: Stream<string>
 * ```
 */
export class Stream<T> {
  /** @internal */ readonly ctx: StreamContext;
  /** @internal */ readonly steps: readonly StepSpec[];
  declare readonly __recordType?: T;

  /** @internal Created by `topology().source()`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    this.ctx = ctx;
    this.steps = steps;
  }

  /** @internal */
  protected next<U>(step: StepSpec): Stream<U> {
    return new Stream<U>(this.ctx, [...this.steps, Object.freeze(step)]);
  }

  /**
   * Checks every record: `true` keeps it, a string (the reason) sends it to
   * the dead-letter topic with `sluice.error.reason = invalid`.
   *
   * @example
   * ```ts
   * .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
   * ```
   */
  validate(name: string, check: (value: T) => true | string): Stream<T> {
    return this.next({ kind: 'validate', name, check: check as (value: unknown) => true | string });
  }

  /**
   * The dead-letter topic of this chain (and its branches): undecodable,
   * invalid, failing and late records go there with their original bytes.
   * `sink: [name, spec]` also lands every dead-letter record in a table, one
   * row each: `source_topic`, `source_partition`, `source_offset`, `step`
   * (together the row's identity), `reason`, `message`, `source_timestamp`,
   * `failed_at`, `key` and `payload` (the original bytes) and `payload_json`
   * (the value decoded with its writer schema, `null` when it does not
   * decode). The sink runs like any other: its own consumer group, exactly
   * once through `sluice_offsets`.
   *
   * @example
   * ```ts
   * .validate('ranges', check).deadLetter('bus.telemetry.dlq')
   * .validate('known-type', check)
   * .deadLetter('events_dlq', { sink: ['dlq-pg', postgres({ table: 'dlq_events', mode: 'insert-ignore' })] })
   * ```
   */
  deadLetter(topic: string, options: { readonly sink?: readonly [name: string, spec: SinkSpec] } = {}): Stream<T> {
    if (options.sink === undefined) return this.next({ kind: 'dead-letter', topic });
    const [name, spec] = options.sink;
    return this.next({ kind: 'dead-letter', topic, sink: Object.freeze({ name, spec }) });
  }

  /**
   * Merges `other` (a stream from another `.source()`) into this one, like
   * Kafka Streams' `merge`: what follows sees the records of both, and keyed
   * state after it (`groupByKey`, `track`, windows) is one state for both.
   * Both topics are read by the same tasks — partition `p` of each by task
   * `p` — so they must have as many partitions each (`sluice run` checks)
   * and be keyed alike for `groupByKey`. A task takes its next record from
   * the topic whose next record is oldest, so event time advances evenly.
   * Before the merge `other` may only validate, pipe and dead-letter; after
   * it, records are written with this stream's schema (map both sides to
   * one shape first, or pass `{ schema }` where they are written).
   *
   * @example
   * ```ts
   * const t = topology('traffic');
   * const gps = t.source<Gps>('traffic.vehicle-gps', { schema: 'vehicle-gps', eventTime: 'timestamp' })
   *   .pipe('gps-speed', map((g): Speed => ({ segment_id: g.segment_id, speed_kmh: g.speed_kmh, timestamp: g.timestamp })));
   * t.source<Sensor>('traffic.road-sensors', { schema: 'road-sensor', eventTime: 'timestamp' })
   *   .pipe('sensor-speed', map((s): Speed => ({ segment_id: s.segment_id, speed_kmh: s.avg_speed_kmh, timestamp: s.timestamp })))
   *   .merge('all-speeds', gps)
   *   .groupBy('by-segment', 'segment_id') // …
   * // describe(): Merge: all-speeds (inputs: traffic.road-sensors + traffic.vehicle-gps)
   * ```
   */
  merge<U>(name: string, other: Stream<U>): Stream<T | U> {
    const source = other.ctx.source;
    if (source === undefined) {
      throw new TypeError(`merge('${name}'): the stream merged in starts inside a branch arm; merge a stream that starts with .source(), then branch the merged stream`);
    }
    if (other.ctx.name !== this.ctx.name) {
      throw new TypeError(`merge('${name}'): the stream merged in belongs to topology '${other.ctx.name}', not '${this.ctx.name}'; start both from the same topology()`);
    }
    // Chains the other stream's topology finished before it are kept too.
    const chains = [...this.ctx.chains, ...other.ctx.chains.filter((c) => !this.ctx.chains.includes(c))];
    const step: StepSpec = Object.freeze({ kind: 'merge' as const, name, other: Object.freeze({ source, steps: other.steps }) });
    return new Stream<T | U>({ ...this.ctx, chains }, [...this.steps, step]);
  }

  /**
   * Runs RxJS operators over the records. Each input batch flows through the
   * operators as a finite stream that completes at the end of the batch, so
   * timing operators (`delay`, `bufferTime`, `mergeMap` to a promise) finish
   * inside the batch and the batch still commits atomically. Operator state
   * (`scan`, `distinct`…) lasts one batch: use `aggregate` for durable state.
   * An emitted record keeps the key, event time and source position of the
   * input it came from (followed through promises and timers; values flushed
   * at completion, like `toArray`, take the batch's last record). When user
   * code throws, that record goes to the dead-letter topic (reason `error`)
   * and the batch runs through the operators again without it, so side
   * effects in operators (`tap`) may repeat, as they may on any retry.
   *
   * @example
   * ```ts
   * .pipe('enrich', filter((e) => e.passengers > 0), map((e) => ({ ...e, full: e.passengers > 60 })))
   * ```
   */
  pipe(name: string): Stream<T>;
  pipe<A>(name: string, op1: OperatorFunction<T, A>): Stream<A>;
  pipe<A, B>(name: string, op1: OperatorFunction<T, A>, op2: OperatorFunction<A, B>): Stream<B>;
  pipe<A, B, C>(name: string, op1: OperatorFunction<T, A>, op2: OperatorFunction<A, B>, op3: OperatorFunction<B, C>): Stream<C>;
  pipe<A, B, C, D>(
    name: string,
    op1: OperatorFunction<T, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
  ): Stream<D>;
  pipe<A, B, C, D, E>(
    name: string,
    op1: OperatorFunction<T, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
  ): Stream<E>;
  pipe<A, B, C, D, E, F>(
    name: string,
    op1: OperatorFunction<T, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, F>,
  ): Stream<F>;
  pipe(name: string, ...operators: OperatorFunction<unknown, unknown>[]): Stream<unknown>;
  pipe(name: string, ...operators: OperatorFunction<never, unknown>[]): Stream<unknown> {
    return this.next({
      kind: 'pipe',
      name,
      operators: Object.freeze([...operators]) as readonly OperatorFunction<unknown, unknown>[],
    });
  }

  /**
   * Routes each record to the FIRST arm whose predicate holds (Kafka Streams'
   * `split().branch()`); records matching no arm are dropped unless an
   * `otherwise` arm is declared. Each arm is a named sub-stream.
   *
   * @example
   * ```ts
   * .branch('by-speed', (b) => b
   *   .when('fast', (e) => e.speed_kmh > 100, (s) => s.to('bus.fast'))
   *   .otherwise('normal', (s) => s.to('bus.normal')))
   * ```
   */
  branch(name: string, build: (branches: Branches<T>) => Branches<T>): Topology {
    const arms = build(new Branches<T>(this.armContext())).arms;
    return this.finishWith({ kind: 'branch', name, mode: 'first-match', arms: Object.freeze(arms) });
  }

  /**
   * Sends EVERY record to every named sub-stream (fan-out): several
   * independent outputs from one source.
   *
   * @example
   * ```ts
   * .split('fan-out', {
   *   raw: (s) => s.to('bus.raw'),
   *   stats: (s) => s.groupBy('by-route', 'route_id').window('m', tumbling('1m'), { grace: '30s' })
   *     .aggregate('route-stats', { events: count() }).toTable('bus.route-stats'),
   * })
   * ```
   */
  split(name: string, arms: Readonly<Record<string, (stream: Stream<T>) => Topology>>): Topology {
    const ctx = this.armContext();
    const specs: ArmSpec[] = Object.entries(arms).map(([armName, build]) =>
      Object.freeze({ name: armName, steps: finishedArm(name, armName, build(new Stream<T>(ctx, []))) }),
    );
    return this.finishWith({ kind: 'branch', name, mode: 'broadcast', arms: Object.freeze(specs) });
  }

  /**
   * Writes the records to `topic`, Avro-encoded with `schema` (default: the
   * source's schema), keeping each record's original key.
   *
   * @example
   * ```ts
   * .pipe('fast-only', filter((e) => e.speed_kmh > 100)).to('bus.fast')
   * ```
   */
  to(topic: string, options: { readonly schema?: SchemaRef } = {}): Output<T> {
    const step: StepSpec = options.schema === undefined ? { kind: 'to', topic } : { kind: 'to', topic, schema: options.schema };
    return new Output<T>(this.ctx, [...this.steps, Object.freeze(step)]);
  }

  /**
   * Re-keys the records (a repartition topic `<topology>.<name>-repartition`
   * moves each record to the task owning its new key). A field name also
   * names the key column of the aggregate; with a function, name it with
   * `{ as }` (default `key`). `schema` encodes the repartitioned records
   * (default: the source's schema). A field name must be a field of that
   * schema: a topology grouping by a field the schema lacks fails when it
   * loads, naming the fields there are (a field only a `.pipe()` adds is
   * grouped by with a function).
   *
   * @example
   * ```ts
   * .groupBy('by-route', 'route_id')                      // key column route_id
   * .groupBy('by-line', (e) => e.line, { as: 'line' })    // key column line
   * ```
   */
  groupBy<K extends FieldsOfType<T, string | number>>(name: string, key: K, options?: { readonly schema?: SchemaRef }): GroupedStream<T, K>;
  groupBy<N extends string = 'key'>(
    name: string,
    key: (value: T) => string,
    options?: { readonly as?: N; readonly schema?: SchemaRef },
  ): GroupedStream<T, N>;
  groupBy(
    name: string,
    key: string | ((value: T) => string),
    options: { readonly as?: string; readonly schema?: SchemaRef } = {},
  ): GroupedStream<T, string> {
    const keyFn =
      typeof key === 'function'
        ? (key as (value: unknown) => string)
        : (value: unknown) => String((value as Record<string, unknown>)[key]);
    const keyField = typeof key === 'string' ? key : (options.as ?? 'key');
    const step: StepSpec = {
      kind: 'group-by',
      name,
      key: keyFn,
      keyField,
      ...(typeof key === 'string' ? { field: key } : {}),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    };
    return new GroupedStream<T, string>(this.ctx, [...this.steps, Object.freeze(step)]);
  }

  /**
   * Groups by the record's existing Kafka key, without a repartition topic
   * (Kafka Streams' `groupByKey`): the grouped step runs in the task that
   * reads the record, so the input must already be keyed (and partitioned)
   * by the group key. The key column is named by `as` (default `key`): the
   * field of the records that the Kafka key holds, so any other name must be
   * a field of the chain's schema (checked when the topology loads).
   * Records without a key go to the dead-letter topic (reason `invalid`).
   *
   * @example
   * ```ts
   * .groupByKey('by-order', { as: 'order_id' })            // key column order_id
   * .window('per-minute', tumbling('1m')).aggregate('stats', { events: count() })
   * ```
   */
  groupByKey<N extends string = 'key'>(name: string, options: { readonly as?: N } = {}): GroupedStream<T, N> {
    const step: StepSpec = { kind: 'group-by-key', name, keyField: options.as ?? 'key' };
    return new GroupedStream<T, N>(this.ctx, [...this.steps, Object.freeze(step)]);
  }

  private armContext(): StreamContext {
    return { name: this.ctx.name, chains: [], open: this.ctx.open };
  }

  private finishWith(step: StepSpec): Topology {
    return new Output<T>(this.ctx, [...this.steps, Object.freeze(step)]);
  }
}
