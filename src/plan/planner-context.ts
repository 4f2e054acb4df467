import type { Fail } from './plan-internals.js';
import type { PlanNode } from './plan-node.js';
import type { SubTopology, TopicRole } from './topology-plan.js';
import type { SchemaRef, StepSpec } from './topology-spec.js';

/**
 * One kind of step spec, narrowed by its `kind`.
 *
 * @example
 * ```ts
 * const window: PlannedStep<'window'> = steps[i] as PlannedStep<'window'>;
 * ```
 */
export type PlannedStep<K extends StepSpec['kind']> = Extract<StepSpec, { kind: K }>;

/**
 * Where the walk over a chain is: what the records are, and which DLQ and
 * schema apply.
 *
 * @example
 * ```ts
 * const walk: Walk = { deadLetter: 'bus.telemetry.dlq', schema: 'bus-telemetry', inputTopic: 'bus.telemetry', subTopology: 0 };
 * ```
 */
export interface Walk {
  readonly deadLetter: string | undefined;
  readonly schema: SchemaRef;
  /** The first input topic of the sub-topology: topics written from here are co-partitioned with it. */
  readonly inputTopic: string;
  readonly subTopology: number;
  /** Set inside a branch arm (its name): a `.merge()` there is refused. */
  readonly arm?: string;
}

/**
 * What the step planners (plan-keyed-steps.ts) need from the planner: its
 * bookkeeping of names, topics, sub-topologies, changelogs and sinks, and the
 * walk over the rest of a chain. Every check throws through `fail`.
 *
 * @example
 * ```ts
 * function planPipe(ctx: PlannerContext, steps: readonly StepSpec[], i: number, walk: Walk): readonly PlanNode[] {
 *   ctx.name(steps[i]!.name);
 *   return ctx.steps(steps, i + 1, walk, steps[i]!.name);
 * }
 * ```
 */
export interface PlannerContext {
  /** Prefix of internal topic names (repartition, changelog). */
  readonly applicationId: string;
  /** The state budget of window steps that set none (`PlanOptions.maxOpenWindows`). */
  readonly defaultMaxOpenWindows: number | undefined;
  readonly fail: Fail;
  /** Plans `steps[i..]`, returning the nodes that follow the previous one. */
  steps(steps: readonly StepSpec[], i: number, walk: Walk, after: string): readonly PlanNode[];
  /** Claims a step name: valid and unique in the topology. */
  name(name: string): void;
  /** Checks a topic name. */
  topicName(step: string, topic: string): void;
  /** Records a topic in its role; a topic used in two roles fails. */
  topic(step: string, name: string, role: TopicRole, compacted: boolean, coPartitionedWith: string | undefined): void;
  /** The role a topic has been recorded in so far, if any. */
  roleOf(topic: string): TopicRole | undefined;
  /** Records the `.sink()` steps after the write to `topic` at `steps[i]`; anything else there fails. */
  sinksAfter(steps: readonly StepSpec[], i: number, topic: string): void;
  /** The id of a new sub-topology (taken before planning its steps, so ids follow the chain's order). */
  nextSubTopologyId(): number;
  addSubTopology(subTopology: SubTopology): void;
  /** Adds a topic a sub-topology's state is restored from. */
  addChangelog(subTopology: number, topic: string): void;
}
