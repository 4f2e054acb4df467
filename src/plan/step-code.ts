import type { OperatorFunction } from 'rxjs';
import type { AnyAggregatorSpec } from '../state/index.js';
import { deepFreeze } from './plan-internals.js';
import { planNodes } from './plan-nodes.js';
import type { TopologyPlan } from './topology-plan.js';
import type { ChainSpec, StepSpec, TopologySpec } from './topology-spec.js';

/**
 * The user code of a topology — checks, operators, predicates, key
 * selectors, tracked-state functions, aggregators and event-time extractors —
 * by the step (or source topic) that runs it. A plan names steps and holds
 * only data, so it can be serialised, compared and sent to a processing
 * thread; the runtime joins it with this when it compiles a task.
 *
 * @example
 * ```ts
 * const code = stepCode(busTelemetry.spec);
 * code.validate('ranges')({ speed_kmh: 200 }); // 'speed_kmh out of range'
 * ```
 */
export interface StepCode {
  readonly topology: string;
  validate(step: string): (value: unknown) => true | string | false;
  operators(step: string): readonly OperatorFunction<unknown, unknown>[];
  /** An arm's predicate, by the arm's plan name (`<branch>.<arm>`); `undefined` for `otherwise` and split arms. */
  when(arm: string): ((value: unknown) => boolean) | undefined;
  key(step: string): (value: unknown) => string;
  track(step: string): TrackCode;
  aggregators(step: string): Readonly<Record<string, AnyAggregatorSpec<unknown>>>;
  /** The event-time extractor of a source declared with a function. */
  eventTime(sourceTopic: string): (value: unknown) => number;
}

/**
 * A tracked step's functions (see `Stream.track`).
 *
 * @example
 * ```ts
 * const { initial, update } = code.track('lifecycle');
 * update(initial('o-1'), event); // the next state, or the reason the record is rejected
 * ```
 */
export interface TrackCode {
  readonly initial: (key: string) => unknown;
  readonly update: (state: unknown, value: unknown) => unknown;
}

/**
 * Collects a topology's user code by step name from its spec (what the DSL
 * built). Asking for a step the spec does not have throws, naming it: the
 * plan was made from another version of the topology.
 *
 * @example
 * ```ts
 * stepCode(topology.spec).key('by-route')({ route_id: 'R1' }); // 'R1'
 * ```
 */
export function stepCode(topology: TopologySpec | { readonly spec: TopologySpec }): StepCode {
  const spec = 'chains' in topology ? topology : topology.spec;
  const code = new Map<string, unknown>();
  const eventTimes = new Map<string, (value: unknown) => number>();
  const chain = (c: ChainSpec): void => {
    if (c.source.eventTime.kind === 'function') eventTimes.set(c.source.topic, c.source.eventTime.extract);
    steps(c.steps);
  };
  const steps = (list: readonly StepSpec[]): void => {
    for (const step of list) {
      switch (step.kind) {
        case 'validate':
          code.set(`validate:${step.name}`, step.check);
          break;
        case 'pipe':
          code.set(`pipe:${step.name}`, step.operators);
          break;
        case 'group-by':
          code.set(`key:${step.name}`, step.key);
          break;
        case 'track':
          code.set(`track:${step.name}`, { initial: step.initial, update: step.update } satisfies TrackCode);
          break;
        case 'aggregate':
          code.set(`aggregate:${step.name}`, step.aggregators);
          break;
        case 'branch':
          for (const arm of step.arms) {
            code.set(`arm:${step.name}.${arm.name}`, arm.when);
            steps(arm.steps);
          }
          break;
        case 'merge':
          chain(step.other);
          break;
        default:
          break;
      }
    }
  };
  for (const c of spec.chains) chain(c);
  const get = <T>(what: string, step: string): T => {
    const key = `${what}:${step}`;
    if (!code.has(key)) {
      throw new Error(`topology "${spec.name}": the plan names ${what} step "${step}", which the topology's code does not have; the plan was made from another version of the topology — plan it again`);
    }
    return code.get(key) as T;
  };
  return {
    topology: spec.name,
    validate: (step) => get('validate', step),
    operators: (step) => get('pipe', step),
    when: (arm) => get('arm', arm),
    key: (step) => get('key', step),
    track: (step) => get('track', step),
    aggregators: (step) => get('aggregate', step),
    eventTime: (topic) => {
      const extract = eventTimes.get(topic);
      if (extract === undefined) throw new Error(`topology "${spec.name}": the plan reads the event time of "${topic}" with a function the topology's code does not have; plan it again`);
      return extract;
    },
  };
}

const STEP_CODE = Symbol('sluice.stepCode');

/**
 * Attaches a topology's code to its plan, out of band: a non-enumerable
 * symbol property that serialising (`JSON.stringify`, `structuredClone`,
 * `postMessage`) leaves behind, so the plan stays plain data. Checks first
 * that the code has every step the plan names (it throws naming the first
 * it lacks), then freezes the plan. `plan()` does this; a thread that
 * received a plan attaches the code of the topology module it loaded.
 *
 * @example
 * ```ts
 * const received = withStepCode(message.plan, stepCode(topology.spec));
 * ```
 */
export function withStepCode<P extends TopologyPlan>(plan: P, code: StepCode): P {
  for (const { node } of planNodes(plan)) {
    switch (node.kind) {
      case 'SourceNode':
        if (node.eventTime.kind === 'function') code.eventTime(node.topic);
        break;
      case 'ValidateNode':
        code.validate(node.name);
        break;
      case 'PipeNode':
        code.operators(node.name);
        break;
      case 'ArmNode':
        if (node.predicate) code.when(node.name);
        break;
      case 'RepartitionSinkNode':
        code.key(node.name);
        break;
      case 'TrackNode':
        code.track(node.name);
        break;
      case 'AggregateNode':
        code.aggregators(node.name);
        break;
      default:
        break;
    }
  }
  Object.defineProperty(plan, STEP_CODE, { value: code, enumerable: false });
  return deepFreeze(plan);
}

/**
 * The code attached to a plan (see {@link withStepCode}); throws, saying
 * how to attach it, when there is none (a plan that was serialised).
 *
 * @example
 * ```ts
 * stepCodeOf(plan(busTelemetry)).validate('ranges');
 * ```
 */
export function stepCodeOf(plan: { readonly topology: string }): StepCode {
  const code = (plan as { readonly [STEP_CODE]?: StepCode })[STEP_CODE];
  if (code === undefined) {
    throw new Error(`the plan of topology "${plan.topology}" carries no code (it was serialised): attach the topology's with withStepCode(plan, stepCode(topology))`);
  }
  return code;
}
