import type { ChainSpec, SchemaRef, SinkSpec, SourceSpec, StepSpec, TopologySpec } from '../plan/topology-spec.js';
import { markArmSteps } from './arm-steps.js';
import type { EventTime } from './dsl-types.js';
import type { Stream } from './stream.js';
import type { StreamContext } from './stream-context.js';

/**
 * Options of {@link Topology.source}.
 *
 * @example
 * ```ts
 * topology('bus').source<Bus>('bus.telemetry', { schema: busSchema, eventTime: 'timestamp' }).deadLetter('bus.dlq') // …
 * // describe() shows the source as:
 * //   Source: bus.telemetry (topic: bus.telemetry, schema: Bus, event time: field timestamp, dead letter: bus.dlq)
 * ```
 */
export interface SourceOptions<T> {
  /**
   * A schema name — `schemas/<name>.avsc` (Avro) or `schemas/<name>.schema.json`
   * (JSON Schema) — or the Avro schema itself: the reader schema.
   */
  readonly schema: SchemaRef;
  /** Where event time comes from; see {@link EventTime}. */
  readonly eventTime: EventTime<T>;
}

/**
 * A topology under construction: immutable; every method returns a new value.
 * Its {@link Topology.spec} is the plain-data {@link TopologySpec} the planner
 * reads. Start one with {@link topology}.
 *
 * @example
 * ```ts
 * export default topology('echo')
 *   .source<Ping>('ping', { schema: 'ping', eventTime: 'at' })
 *   .to('pong');
 * ```
 */
export class Topology {
  readonly #name: string;
  readonly #chains: readonly ChainSpec[];
  readonly #open: StreamContext['open'];

  /** @internal Use {@link topology}. */
  constructor(name: string, chains: readonly ChainSpec[], open: StreamContext['open']) {
    this.#name = name;
    this.#chains = Object.freeze([...chains]);
    this.#open = open;
  }

  /** The topology's name: its application id and the prefix of its internal topics. */
  get name(): string {
    return this.#name;
  }

  /** The frozen plain-data description, input of `plan()`. */
  get spec(): TopologySpec {
    return Object.freeze({ name: this.#name, chains: this.#chains });
  }

  /**
   * Starts a chain reading `topic`, whose values are decoded with the Avro
   * reader schema `options.schema` and typed `T`.
   *
   * @example
   * ```ts
   * topology('bus').source<Bus>('bus.telemetry', { schema: 'bus-telemetry', eventTime: (e) => e.timestamp });
   * ```
   */
  source<T>(topic: string, options: SourceOptions<T>): Stream<T> {
    const eventTime = options.eventTime;
    const source: SourceSpec = Object.freeze({
      topic,
      schema: options.schema,
      eventTime: Object.freeze(
        typeof eventTime === 'function'
          ? { kind: 'function' as const, extract: eventTime as (value: unknown) => number }
          : eventTime === 'record-timestamp'
            ? { kind: 'record-timestamp' as const }
            : { kind: 'field' as const, field: eventTime },
      ),
    });
    const ctx: StreamContext = { name: this.#name, chains: this.#chains, source, open: this.#open };
    return this.#open<T>(ctx);
  }
}

/**
 * A topology ending in a topic (`.to()` or `.toTable()`): more sinks can read
 * that topic, and more chains can start with `.source()`.
 *
 * @example
 * ```ts
 * stream.toTable('bus.route-stats.1m').sink('route-stats-pg', postgres({ table: 'bus_route_minute' }));
 * ```
 */
export class Output<T> extends Topology {
  readonly #ctx: StreamContext;
  readonly #steps: readonly StepSpec[];
  declare readonly __rowType?: T;

  /** @internal Returned by `.to()` and `.toTable()`. */
  constructor(ctx: StreamContext, steps: readonly StepSpec[]) {
    const frozen = Object.freeze([...steps]);
    super(ctx.name, ctx.source ? [...ctx.chains, Object.freeze({ source: ctx.source, steps: frozen })] : ctx.chains, ctx.open);
    this.#ctx = ctx;
    this.#steps = frozen;
    if (!ctx.source) markArmSteps(this, frozen);
  }

  /**
   * Declares a named sink reading the topic this chain writes (e.g. a
   * PostgreSQL table fed from the table topic). The name is stable: it is the
   * sink's consumer group and offsets key.
   *
   * @example
   * ```ts
   * .toTable('bus.route-stats.1m').sink('route-stats-pg', postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }))
   * ```
   */
  sink(name: string, spec: SinkSpec): Output<T> {
    return new Output<T>(this.#ctx, [...this.#steps, Object.freeze({ kind: 'sink' as const, name, spec })]);
  }
}
