import type { OperatorFunction } from 'rxjs';
import type { AvroSchema } from '../serde/avro-schema.js';
import type { AnyAggregatorSpec, Duration, WindowSpec } from '../state/index.js';

/**
 * The immutable, plain-data description of a topology that the DSL builds and
 * the planner checks. Functions (checks, key selectors, RxJS operators) are
 * allowed as fields; nothing here performs I/O.
 *
 * @example
 * ```ts
 * const spec: TopologySpec = topology('echo').source<Ping>('ping', { schema: 'ping', eventTime: 'at' }).to('pong').spec;
 * spec.chains[0]?.source.topic; // 'ping'
 * ```
 */
export interface TopologySpec {
  readonly name: string;
  /** One chain per `.source()`; chains are independent. */
  readonly chains: readonly ChainSpec[];
}

/**
 * A source and the steps that follow it (branches nest inside).
 *
 * @example
 * ```ts
 * t.spec.chains[0]?.steps.map((s) => s.kind); // ['validate', 'dead-letter', 'group-by', …]
 * ```
 */
export interface ChainSpec {
  readonly source: SourceSpec;
  readonly steps: readonly StepSpec[];
}

/**
 * An Avro schema: a name under `schemas/<name>.avsc`, or the schema itself.
 *
 * @example
 * ```ts
 * const byName: SchemaRef = 'bus-telemetry'; // schemas/bus-telemetry.avsc
 * ```
 */
export type SchemaRef = string | Exclude<AvroSchema, string>;

/**
 * Where a record's event time comes from.
 *
 * @example
 * ```ts
 * const e: EventTimeSpec = { kind: 'field', field: 'timestamp' };
 * ```
 */
export type EventTimeSpec =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'function'; readonly extract: (value: unknown) => number }
  | { readonly kind: 'record-timestamp' };

/**
 * A `.source()` declaration.
 *
 * @example
 * ```ts
 * t.spec.chains[0]?.source.topic; // 'bus.telemetry'
 * ```
 */
export interface SourceSpec {
  readonly topic: string;
  readonly schema: SchemaRef;
  readonly eventTime: EventTimeSpec;
}

/**
 * An external sink, opaque to the planner (e.g. what `postgres({...})` returns).
 *
 * @example
 * ```ts
 * const spec: SinkSpec = { kind: 'postgres', table: 'bus_route_minute' };
 * ```
 */
export interface SinkSpec {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/**
 * A sink fed by a dead-letter topic (`.deadLetter(topic, { sink: [name, spec] })`):
 * one row per dead-letter record, with its reason, step, message, source
 * coordinates and payload.
 *
 * @example
 * ```ts
 * const s: DeadLetterSinkSpec = { name: 'dlq-pg', spec: { kind: 'postgres', table: 'dlq_events' } };
 * ```
 */
export interface DeadLetterSinkSpec {
  readonly name: string;
  readonly spec: SinkSpec;
}

/**
 * What to do with a record that arrives after its window closed.
 *
 * @example
 * ```ts
 * const p: LatePolicy = 'drop';
 * ```
 */
export type LatePolicy = 'dead-letter' | 'drop';

/**
 * Emit mode of a windowed aggregate.
 *
 * @example
 * ```ts
 * const m: EmitMode = 'final';
 * ```
 */
export type EmitMode = 'update' | 'final';

/**
 * One arm of a `.branch()` / `.split()`. `when` is absent for split arms and `otherwise`.
 *
 * @example
 * ```ts
 * const arm: ArmSpec = { name: 'fast', when: (v) => (v as Bus).speed_kmh > 100, steps: [{ kind: 'to', topic: 'bus.fast' }] };
 * ```
 */
export interface ArmSpec {
  readonly name: string;
  readonly when?: (value: unknown) => boolean;
  readonly steps: readonly StepSpec[];
}

/**
 * A step after the source. Discriminated by `kind`.
 *
 * @example
 * ```ts
 * const step: StepSpec = { kind: 'dead-letter', topic: 'bus.telemetry.dlq' };
 * ```
 */
export type StepSpec =
  | { readonly kind: 'validate'; readonly name: string; readonly check: (value: unknown) => true | string | false }
  | { readonly kind: 'dead-letter'; readonly topic: string; readonly sink?: DeadLetterSinkSpec }
  | { readonly kind: 'pipe'; readonly name: string; readonly operators: readonly OperatorFunction<unknown, unknown>[] }
  | { readonly kind: 'branch'; readonly name: string; readonly mode: 'first-match' | 'broadcast'; readonly arms: readonly ArmSpec[] }
  | { readonly kind: 'to'; readonly topic: string; readonly schema?: SchemaRef }
  | {
      readonly kind: 'group-by';
      readonly name: string;
      readonly key: (value: unknown) => string;
      readonly keyField: string;
      /** The record field the key is read from, when grouped by a field name (checked against the schema). */
      readonly field?: string;
      readonly schema?: SchemaRef;
    }
  | {
      readonly kind: 'group-by-key';
      readonly name: string;
      readonly keyField: string;
    }
  | {
      readonly kind: 'track';
      readonly name: string;
      readonly schema: SchemaRef;
      readonly initial: (key: string) => unknown;
      /** The next state, or a string: the reason the record is rejected. */
      readonly update: (state: unknown, value: unknown) => unknown;
    }
  | {
      readonly kind: 'window';
      readonly name: string;
      readonly window: WindowSpec;
      readonly grace: Duration;
      readonly emit: EmitMode;
      readonly idleClose?: Duration;
      readonly retention?: Duration;
      readonly late: LatePolicy;
      readonly maxOpenWindows?: number;
    }
  | {
      readonly kind: 'aggregate';
      readonly name: string;
      readonly aggregators: Readonly<Record<string, AnyAggregatorSpec<unknown>>>;
    }
  | { readonly kind: 'to-table'; readonly topic: string }
  | { readonly kind: 'sink'; readonly name: string; readonly spec: SinkSpec }
  /** `.merge(name, other)`: the records of `other` (a chain from its own source, up to the merge) join this chain here. */
  | { readonly kind: 'merge'; readonly name: string; readonly other: ChainSpec };

/**
 * The `kind` of every step.
 *
 * @example
 * ```ts
 * const k: StepKind = 'window';
 * ```
 */
export type StepKind = StepSpec['kind'];
