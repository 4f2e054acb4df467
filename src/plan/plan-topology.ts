import { checkSchemaFields } from './check-schema-fields.js';
import type { ArmNode, MergeNode, PlanNode, SourceNode } from './plan-node.js';
import { planGroupBy, planGroupByKey, planTrack, planWindow } from './plan-keyed-steps.js';
import { assertNeverStep, firstDeadLetter, type Fail } from './plan-internals.js';
import { stepCode, withStepCode } from './step-code.js';
import type { PlannedStep as Step, PlannerContext, Walk } from './planner-context.js';
import { TopologyDefinitionError } from './topology-definition-error.js';
import type { SinkPlan, SubTopology, TopicPlan, TopicRole, TopologyPlan } from './topology-plan.js';
import type { ChainSpec, DeadLetterSinkSpec, StepSpec, TopologySpec } from './topology-spec.js';

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Checks a topology and derives everything needed to run it: sub-topologies
 * split at repartition points, internal topic names (`<applicationId>.<step>-repartition`,
 * `<applicationId>.<step>-changelog`; the application id defaults to the topology's name),
 * compaction and co-partitioning, table schemas.
 * Pure: no I/O. Throws a {@link TopologyDefinitionError} naming the topology,
 * the step and the fix — also for a field name the schema in effect lacks
 * (see `checkSchemaFields`), as far as the schemas are inline or generated
 * (aggregate tables); schemas named from `schemas/` are checked by
 * `sluice run` at start-up.
 *
 * @example
 * ```ts
 * const p = plan(busTelemetry);
 * p.topics.map((t) => `${t.name} (${t.role})`);
 * // ['bus.telemetry (source)', 'bus.telemetry.dlq (dead-letter)',
 * //  'bus-telemetry.by-route-repartition (repartition)', 'bus.route-stats.1m (table)']
 * ```
 */
export function plan(topology: TopologySpec | { readonly spec: TopologySpec }, options: PlanOptions = {}): TopologyPlan {
  const spec = 'chains' in topology ? topology : topology.spec;
  const max = options.maxOpenWindows;
  if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) {
    throw new TopologyDefinitionError(spec.name, spec.name, `maxOpenWindows must be a positive whole number, got ${String(max)}`, 'pass a number of windows such as 1000000, or leave it out for no bound');
  }
  const planned = withStepCode(new Planner(spec, options.applicationId ?? spec.name, max).run(), stepCode(spec));
  // Inline schemas are known now; names in schemas/ are checked at start-up, once resolved.
  checkSchemaFields(planned, (ref) => (typeof ref === 'string' ? undefined : ref));
  return planned;
}

/**
 * How to plan a topology.
 *
 * @example
 * ```ts
 * plan(busTelemetry, { applicationId: 'bus-telemetry-canary' }).topics; // …'bus-telemetry-canary.by-route-repartition'…
 * ```
 */
export interface PlanOptions {
  /**
   * Names the consumer group and prefixes the internal (repartition, changelog) topics, like
   * Kafka Streams' `application.id`; default the topology's name. Two runs of one topology under
   * different ids must not share internal topics, or each would read the other's records.
   */
  readonly applicationId?: string;
  /**
   * State budget of every window step that sets none of its own (`.window(…, { maxOpenWindows })`):
   * windows kept open per task. `sluice run` passes its `--max-open-windows`; default none.
   */
  readonly maxOpenWindows?: number;
}

/** Walks the chains; the keyed steps (groupBy, groupByKey, track, window + aggregate) are planned in plan-keyed-steps.ts. */
class Planner implements PlannerContext {
  private readonly topics = new Map<string, TopicPlan>();
  private readonly subTopologies = new Map<number, SubTopology>();
  private readonly changelogs = new Map<number, string[]>();
  private readonly names = new Set<string>();
  private readonly sinks: SinkPlan[] = [];
  private readonly warnings: string[] = [];
  /** Sources merged into a sub-topology's first chain (`.merge()`), by sub-topology id. */
  private readonly mergedSources = new Map<number, SourceNode[]>();
  /** Where a merged chain's steps lead once they run out: its merge node. */
  private readonly mergeEnds = new Map<readonly StepSpec[], MergeNode>();
  private nextId = 0;

  constructor(
    private readonly spec: TopologySpec,
    readonly applicationId: string,
    readonly defaultMaxOpenWindows: number | undefined = undefined,
  ) {}

  run(): TopologyPlan {
    const { name, chains } = this.spec;
    if (!TOPIC.test(name)) {
      this.fail(name, 'topology name is empty or has characters a topic name cannot have', `name it with letters, digits, '.', '_' or '-', e.g. topology('bus-telemetry')`);
    }
    if (chains.length === 0) this.fail(name, 'the topology has no source', `start a chain with .source<T>('<topic>', { schema, eventTime })`);
    for (const chain of chains) this.chain(chain);
    const subTopologies = [...this.subTopologies.values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => Object.freeze({ ...s, changelogTopics: Object.freeze(this.changelogs.get(s.id) ?? []) }));
    return {
      topology: name,
      applicationId: this.applicationId,
      subTopologies,
      topics: [...this.topics.values()],
      sinks: this.sinks,
      warnings: this.warnings,
    };
  }

  private chain(chain: ChainSpec): void {
    const { source, steps } = chain;
    this.sourceTopic(source.topic, undefined);
    const deadLetter = firstDeadLetter(steps);
    const id = this.nextId++;
    const walk: Walk = { deadLetter, schema: source.schema, inputTopic: source.topic, subTopology: id };
    const root = this.sourceNode(chain, walk);
    const sources = [root, ...(this.mergedSources.get(id) ?? [])];
    this.subTopologies.set(id, { id, inputTopics: sources.map((s) => s.topic), sources, changelogTopics: [] });
  }

  private sourceTopic(topic: string, coPartitionedWith: string | undefined): void {
    if (this.topics.get(topic)?.role === 'source') {
      this.fail(topic, 'two chains read the same source topic', `read it once and fan out with .split('<name>', { a: (s) => …, b: (s) => … })`);
    }
    this.topic(topic, topic, 'source', false, coPartitionedWith);
  }

  private sourceNode(chain: ChainSpec, walk: Walk): SourceNode {
    const { source, steps } = chain;
    if (walk.deadLetter === undefined) {
      this.warnings.push(`chain of source "${source.topic}" has no .deadLetter(topic): undecodable records are counted and dropped`);
    }
    return {
      kind: 'SourceNode',
      name: source.topic,
      deadLetter: walk.deadLetter,
      topic: source.topic,
      schema: source.schema,
      eventTime: source.eventTime.kind === 'function' ? { kind: 'function' } : source.eventTime,
      next: this.steps(steps, 0, walk, source.topic),
    };
  }

  /**
   * Plans `.merge()`: one node where the records of this chain and of the
   * other chain's source meet. The other source joins this sub-topology
   * (co-partitioned with its first input), so a merge comes before any step
   * that moves records to another sub-topology, and the merged chain holds
   * only per-record steps.
   */
  private merge(step: Step<'merge'>, steps: readonly StepSpec[], i: number, walk: Walk): MergeNode {
    this.name(step.name);
    if (walk.arm !== undefined) {
      this.fail(step.name, `.merge() inside branch arm "${walk.arm}"`, 'merge the streams before .branch()/.split(), then branch the merged stream');
    }
    if (this.roleOf(walk.inputTopic) !== 'source') {
      this.fail(step.name, '.merge() after a groupBy: the merged records would skip its repartition', `merge before grouping: a.merge('${step.name}', b).groupBy(…)`);
    }
    const other = step.other;
    for (const before of other.steps) {
      if (before.kind !== 'validate' && before.kind !== 'pipe' && before.kind !== 'dead-letter' && before.kind !== 'merge') {
        this.fail(step.name, `the stream merged in has a .${before.kind}() step before the merge`, 'give the merged stream only per-record steps (validate, pipe, deadLetter) before .merge(); group, window and write after it');
      }
    }
    const node: MergeNode = {
      kind: 'MergeNode',
      name: step.name,
      deadLetter: walk.deadLetter,
      inputs: [walk.inputTopic, other.source.topic],
      next: this.steps(steps, i + 1, walk, step.name),
    };
    this.sourceTopic(other.source.topic, walk.inputTopic);
    this.mergeEnds.set(other.steps, node);
    const otherWalk: Walk = { deadLetter: firstDeadLetter(other.steps) ?? walk.deadLetter, schema: other.source.schema, inputTopic: walk.inputTopic, subTopology: walk.subTopology };
    const root = this.sourceNode(other, otherWalk);
    this.mergedSources.set(walk.subTopology, [...(this.mergedSources.get(walk.subTopology) ?? []), root]);
    return node;
  }

  /** Plans `steps[i..]`, returning the nodes that follow the previous one. */
  steps(steps: readonly StepSpec[], i: number, walk: Walk, after: string): readonly PlanNode[] {
    const step = steps[i];
    if (step === undefined) {
      const merged = this.mergeEnds.get(steps);
      if (merged !== undefined) return [merged];
      this.fail(after, 'the chain ends without an output', `end it with .to('<topic>'), .toTable('<topic>') or .branch()/.split()`);
    }
    switch (step.kind) {
      case 'dead-letter':
        if (step.topic !== walk.deadLetter) {
          this.fail(after, `a second dead-letter topic "${step.topic}" in a chain that already uses "${String(walk.deadLetter)}"`, 'declare one .deadLetter(topic) per chain (a branch arm may declare its own)');
        }
        this.topicName(after, step.topic);
        this.topic(after, step.topic, 'dead-letter', false, undefined);
        if (step.sink !== undefined) this.deadLetterSink(step.topic, step.sink);
        return this.steps(steps, i + 1, walk, after);
      case 'validate':
        this.name(step.name);
        if (walk.deadLetter === undefined) {
          this.fail(step.name, 'validate has no dead-letter topic for the records it rejects', `add .deadLetter('<topic>') to the chain, e.g. .validate('${step.name}', …).deadLetter('${this.spec.name}.dlq')`);
        }
        return [{ kind: 'ValidateNode', name: step.name, deadLetter: walk.deadLetter, next: this.steps(steps, i + 1, walk, step.name) }];
      case 'pipe':
        this.name(step.name);
        return [{ kind: 'PipeNode', name: step.name, deadLetter: walk.deadLetter, operatorCount: step.operators.length, next: this.steps(steps, i + 1, walk, step.name) }];
      case 'branch':
        return [this.branch(step, steps, i, walk)];
      case 'merge':
        return [this.merge(step, steps, i, walk)];
      case 'to':
        return [this.to(step, steps, i, walk)];
      case 'group-by':
        return [planGroupBy(this, step, steps, i, walk)];
      case 'group-by-key':
        return [planGroupByKey(this, step, steps, i, walk)];
      case 'track':
        return [planTrack(this, step, steps, i, walk)];
      case 'window':
        return [planWindow(this, step, steps, i, walk)];
      case 'aggregate':
        return this.fail(step.name, 'aggregate has no key and window before it', `group and window first: .groupBy('<name>', '<field>').window('<name>', tumbling('1m')).aggregate('${step.name}', …)`);
      case 'to-table':
        return this.fail(step.topic, 'toTable() must follow an aggregate or a track', `write plain records with .to('${step.topic}'), or aggregate first`);
      case 'sink':
        return this.fail(step.name, 'a sink reads a topic, but nothing before it writes one', `put .sink('${step.name}', …) right after .to('<topic>') or .toTable('<topic>')`);
      default:
        return assertNeverStep(step);
    }
  }

  private branch(step: Step<'branch'>, steps: readonly StepSpec[], i: number, walk: Walk): PlanNode {
    this.name(step.name);
    this.nothingAfter(steps, i, step.name, 'branch');
    if (step.arms.length === 0) this.fail(step.name, 'the branch has no arms', `add at least one arm, e.g. .branch('${step.name}', (b) => b.when('a', pred, (s) => s.to('a')))`);
    const armNames = new Set<string>();
    const arms: ArmNode[] = step.arms.map((arm) => {
      const name = `${step.name}.${arm.name}`;
      if (step.mode === 'first-match' && arm.when === undefined && arm !== step.arms[step.arms.length - 1]) {
        this.fail(name, 'otherwise() is not the last arm, so the arms after it never receive a record', 'move .otherwise() to the end of the branch');
      }
      if (armNames.has(arm.name)) this.fail(name, `two arms of branch "${step.name}" are named "${arm.name}"`, 'give each arm its own name');
      armNames.add(arm.name);
      const deadLetter = firstDeadLetter(arm.steps) ?? walk.deadLetter;
      return { kind: 'ArmNode', name, deadLetter, predicate: arm.when !== undefined, next: this.steps(arm.steps, 0, { ...walk, deadLetter, arm: name }, name) };
    });
    return { kind: 'BranchNode', name: step.name, deadLetter: walk.deadLetter, mode: step.mode, next: arms };
  }

  private to(step: Step<'to'>, steps: readonly StepSpec[], i: number, walk: Walk): PlanNode {
    this.topicName(step.topic, step.topic);
    this.topic(step.topic, step.topic, 'output', false, undefined);
    this.sinksAfter(steps, i, step.topic);
    return { kind: 'StreamSinkNode', name: step.topic, deadLetter: walk.deadLetter, topic: step.topic, schema: step.schema ?? walk.schema, next: [] };
  }

  sinksAfter(steps: readonly StepSpec[], i: number, topic: string): void {
    for (const step of steps.slice(i + 1)) {
      if (step.kind !== 'sink') this.fail(topic, `.${step.kind}() cannot follow the write to "${topic}"`, `only .sink(name, spec) can follow .to()/.toTable(); use .split() for several outputs`);
      this.name(step.name);
      if (typeof step.spec?.kind !== 'string') this.fail(step.name, 'the sink spec has no kind', `pass a sink spec such as postgres({ table: '…' })`);
      this.sinks.push({ name: step.name, topic, spec: step.spec });
    }
  }

  private deadLetterSink(topic: string, sink: DeadLetterSinkSpec): void {
    this.name(sink.name);
    if (typeof sink.spec?.kind !== 'string') this.fail(sink.name, 'the dead-letter sink spec has no kind', `pass { sink: ['${sink.name}', postgres({ table: '…' })] }`);
    if (this.sinks.some((s) => s.topic === topic)) {
      this.fail(sink.name, `dead-letter topic "${topic}" already has a sink`, `declare the sink once, on the first .deadLetter('${topic}', { sink })`);
    }
    this.sinks.push({ name: sink.name, topic, spec: sink.spec });
  }

  private nothingAfter(steps: readonly StepSpec[], i: number, name: string, what: string): void {
    const next = steps[i + 1];
    if (next !== undefined) this.fail(name, `.${next.kind}() follows a ${what}, which ends the chain`, `move it into the ${what}'s arms`);
  }

  name(name: string): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
      this.fail(String(name), 'step names must be non-empty and use letters, digits, ., _ or -', `rename the step, e.g. 'route-stats'`);
    }
    if (this.names.has(name)) this.fail(name, 'two steps have this name; names must be unique and stable (they name internal topics and state)', `rename one of the "${name}" steps`);
    this.names.add(name);
  }

  topicName(step: string, topic: string): void {
    if (!TOPIC.test(topic)) this.fail(step, `"${topic}" is not a valid topic name`, `use letters, digits, '.', '_' or '-' (at most 249)`);
  }

  topic(step: string, name: string, role: TopicRole, compacted: boolean, coPartitionedWith: string | undefined): void {
    this.topicName(step, name);
    const existing = this.topics.get(name);
    if (existing !== undefined && existing.role !== role) {
      this.fail(step, `topic "${name}" is used both as ${existing.role} and as ${role}`, 'use a separate topic for each role');
    }
    const internal = role === 'repartition' || role === 'changelog';
    this.topics.set(name, { name, role, internal, compacted, coPartitionedWith });
  }

  roleOf(topic: string): TopicRole | undefined {
    return this.topics.get(topic)?.role;
  }

  nextSubTopologyId(): number {
    return this.nextId++;
  }

  addSubTopology(subTopology: SubTopology): void {
    this.subTopologies.set(subTopology.id, subTopology);
  }

  addChangelog(subTopology: number, topic: string): void {
    this.changelogs.set(subTopology, [...(this.changelogs.get(subTopology) ?? []), topic]);
  }

  readonly fail: Fail = (step, problem, fix) => {
    throw new TopologyDefinitionError(this.spec.name, step, problem, fix);
  };
}
