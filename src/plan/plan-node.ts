import type { AvroRecordSchema } from '../serde/avro-schema.js';
import type { AggregatorKind, AvroType, WindowSpec } from '../state/index.js';
import type { EmitMode, LatePolicy, SchemaRef } from './topology-spec.js';

interface NodeBase {
  /** Unique within the topology; shown by `describe()`. */
  readonly name: string;
  /** The dead-letter topic in effect at this node, if any. */
  readonly deadLetter: string | undefined;
}

/**
 * Reads a source topic and decodes it with the source's reader schema.
 *
 * @example
 * ```ts
 * plan(t).subTopologies[0]?.root.kind; // 'SourceNode'
 * ```
 */
export interface SourceNode extends NodeBase {
  readonly kind: 'SourceNode';
  readonly topic: string;
  readonly schema: SchemaRef;
  readonly eventTime: EventTimePlan;
  readonly next: readonly PlanNode[];
}

/**
 * Where a source's event time comes from, as data: a function's code is
 * looked up by the source topic (`StepCode.eventTime`).
 *
 * @example
 * ```ts
 * const e: EventTimePlan = { kind: 'field', field: 'timestamp' };
 * ```
 */
export type EventTimePlan =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'function' }
  | { readonly kind: 'record-timestamp' };

/**
 * What the plan says of an aggregator (its code is looked up by the
 * aggregate step's name, `StepCode.aggregators`).
 *
 * @example
 * ```ts
 * const a: AggregatorPlan = { kind: 'sum', resultAvroType: 'long' };
 * ```
 */
export interface AggregatorPlan {
  readonly kind: AggregatorKind;
  readonly resultAvroType: AvroType;
}

/**
 * Reads an internal repartition topic (event time = record timestamp).
 *
 * @example
 * ```ts
 * plan(busTelemetry).subTopologies[1]?.root.topic; // 'bus-telemetry.by-route-repartition'
 * ```
 */
export interface RepartitionSourceNode extends NodeBase {
  readonly kind: 'RepartitionSourceNode';
  readonly topic: string;
  readonly schema: SchemaRef;
  readonly keyField: string;
  readonly next: readonly PlanNode[];
}

/**
 * Sends records its check refuses to the dead-letter topic (the check is
 * `StepCode.validate(name)`).
 *
 * @example
 * ```ts
 * if (node.kind === 'ValidateNode') code.validate(node.name)(value); // true or the reason
 * ```
 */
export interface ValidateNode extends NodeBase {
  readonly kind: 'ValidateNode';
  readonly next: readonly PlanNode[];
}

/**
 * Runs user RxJS operators over each batch (`StepCode.operators(name)`).
 *
 * @example
 * ```ts
 * if (node.kind === 'PipeNode') node.operatorCount; // operators given to .pipe()
 * ```
 */
export interface PipeNode extends NodeBase {
  readonly kind: 'PipeNode';
  readonly operatorCount: number;
  readonly next: readonly PlanNode[];
}

/**
 * Routes records to arms: first match, or every arm (broadcast).
 *
 * @example
 * ```ts
 * if (node.kind === 'BranchNode') node.next.map((arm) => arm.name); // ['by-speed.fast', 'by-speed.normal']
 * ```
 */
export interface BranchNode extends NodeBase {
  readonly kind: 'BranchNode';
  readonly mode: 'first-match' | 'broadcast';
  readonly next: readonly ArmNode[];
}

/**
 * One arm of a branch; `when` is absent for `otherwise` and broadcast arms.
 *
 * @example
 * ```ts
 * if (node.kind === 'ArmNode' && node.when?.(value)) route(value);
 * ```
 */
export interface ArmNode extends NodeBase {
  readonly kind: 'ArmNode';
  /** Whether the arm has a predicate (`StepCode.when(name)`); false for `otherwise` and split arms. */
  readonly predicate: boolean;
  readonly next: readonly PlanNode[];
}

/**
 * Re-keys records and writes them to a repartition topic.
 *
 * @example
 * ```ts
 * if (node.kind === 'RepartitionSinkNode') code.key(node.name)(value); // 'R1'
 * ```
 */
export interface RepartitionSinkNode extends NodeBase {
  readonly kind: 'RepartitionSinkNode';
  readonly topic: string;
  /** The record field the key is read from (`groupBy(name, 'field')`); absent for a key function. */
  readonly field?: string;
  readonly schema: SchemaRef;
  readonly next: readonly [];
}

/**
 * Groups records by the key they already have (`groupByKey`): no repartition,
 * the grouped step runs in the same task; `keyField` names the key column.
 *
 * @example
 * ```ts
 * if (node.kind === 'GroupByKeyNode') node.keyField; // 'order_id'
 * ```
 */
export interface GroupByKeyNode extends NodeBase {
  readonly kind: 'GroupByKeyNode';
  readonly keyField: string;
  readonly next: readonly (WindowNode | TrackNode)[];
}

/**
 * Per-key state outside windows (`track`): `update` folds each record into
 * its key's state or rejects it with a reason (dead-lettered as `rejected`);
 * the latest state per key is the table, which is also the changelog.
 *
 * @example
 * ```ts
 * if (node.kind === 'TrackNode') node.keyField; // 'order_id'; the functions are StepCode.track(node.name)
 * ```
 */
export interface TrackNode extends NodeBase {
  readonly kind: 'TrackNode';
  readonly keyField: string;
  /** The state's Avro record schema; it has the key column as a string field. */
  readonly schema: SchemaRef;
  readonly next: readonly [TableSinkNode];
}

/**
 * Assigns records to event-time windows; always followed by one AggregateNode.
 *
 * @example
 * ```ts
 * if (node.kind === 'WindowNode') node.graceMs; // 30000
 * ```
 */
export interface WindowNode extends NodeBase {
  readonly kind: 'WindowNode';
  readonly window: WindowSpec;
  readonly graceMs: number;
  readonly retentionMs: number;
  readonly emit: EmitMode;
  readonly idleCloseMs: number | undefined;
  readonly late: LatePolicy;
  /**
   * State budget: windows (or sessions) kept open per task; a record that
   * would open one more is dead-lettered as `state-full`. Absent: no bound.
   */
  readonly maxOpenWindows?: number;
  readonly next: readonly [AggregateNode];
}

/**
 * Folds windowed records into accumulators held in the window store.
 *
 * @example
 * ```ts
 * if (node.kind === 'AggregateNode') Object.keys(node.aggregators); // ['events', 'avg_speed']
 * ```
 */
export interface AggregateNode extends NodeBase {
  readonly kind: 'AggregateNode';
  /** By result field; the aggregators themselves are `StepCode.aggregators(name)`. */
  readonly aggregators: Readonly<Record<string, AggregatorPlan>>;
  readonly keyField: string;
  /** Compacted topic holding open-window state when `emit` is `final` (the table is the changelog otherwise). */
  readonly changelogTopic: string | undefined;
  readonly next: readonly [TableSinkNode];
}

/**
 * Writes aggregate rows to a compacted table topic.
 *
 * @example
 * ```ts
 * if (node.kind === 'TableSinkNode') node.valueSchema.fields.map((f) => f.name);
 * ```
 */
export interface TableSinkNode extends NodeBase {
  readonly kind: 'TableSinkNode';
  readonly topic: string;
  readonly keySchema: AvroRecordSchema;
  /** Generated for aggregates; the state schema (possibly a name in `schemas/`) for a tracked table. */
  readonly valueSchema: SchemaRef;
  readonly next: readonly [];
}

/**
 * Writes records to an output topic.
 *
 * @example
 * ```ts
 * if (node.kind === 'StreamSinkNode') node.topic; // 'bus.fast'
 * ```
 */
export interface StreamSinkNode extends NodeBase {
  readonly kind: 'StreamSinkNode';
  readonly topic: string;
  readonly schema: SchemaRef;
  readonly next: readonly [];
}

/**
 * Where the records of several sources of one sub-topology come together
 * (`.merge()`): every source's chain leads to the same node, so what follows
 * it is planned, compiled and run once per task for all of them.
 *
 * @example
 * ```ts
 * plan(t).subTopologies[0]?.sources.map((s) => s.topic); // ['traffic.road-sensors', 'traffic.vehicle-gps']
 * ```
 */
export interface MergeNode extends NodeBase {
  readonly kind: 'MergeNode';
  /** The source topics whose chains lead here, the first chain's first. */
  readonly inputs: readonly string[];
  readonly next: readonly PlanNode[];
}

/**
 * A node of a sub-topology. Every `switch` over `kind` is exhaustive (see
 * {@link assertNever}).
 *
 * @example
 * ```ts
 * function label(node: PlanNode): string {
 *   switch (node.kind) {
 *     case 'SourceNode': return `Source: ${node.topic}`;
 *     // … every other kind …
 *     default: return assertNever(node);
 *   }
 * }
 * ```
 */
export type PlanNode =
  | SourceNode
  | RepartitionSourceNode
  | ValidateNode
  | PipeNode
  | MergeNode
  | BranchNode
  | ArmNode
  | RepartitionSinkNode
  | GroupByKeyNode
  | TrackNode
  | WindowNode
  | AggregateNode
  | TableSinkNode
  | StreamSinkNode;

/**
 * The `kind` of every plan node.
 *
 * @example
 * ```ts
 * const k: PlanNodeKind = 'WindowNode';
 * ```
 */
export type PlanNodeKind = PlanNode['kind'];

/**
 * Compile-time exhaustiveness check for switches over plan node kinds.
 *
 * @example
 * ```ts
 * default: return assertNever(node); // a new kind makes this a type error
 * ```
 */
export function assertNever(value: never): never {
  throw new Error(`unexpected plan node: ${JSON.stringify(value)}`);
}
