import type { ArmSpec, ChainSpec, StepSpec, TopologySpec } from '../../src/plan/topology-spec.js';

/** A topology spec with every name made unique, and how the names map. */
export interface RenamedTopology {
  readonly spec: TopologySpec;
  /** Original topic (and topology) name → the name used on the broker. */
  readonly names: ReadonlyMap<string, string>;
  /** The inverse of `names`: broker name → original name. */
  readonly originals: ReadonlyMap<string, string>;
}

/**
 * Copies a topology spec with its name and every topic it names (sources,
 * dead-letter, `to` and `to-table` topics, branch arms included) renamed
 * by `rename`, so a case can run on a broker that other runs share: the
 * consumer group, transactional ids, internal topics and registry subjects
 * all derive from these names. Functions and schema objects are kept as
 * they are (shared, not cloned): they are code, not names.
 *
 * @example
 * ```ts
 * const { spec, names } = renameTopology(t.spec, (n) => `${n}-1a2b`);
 * names.get('readings'); // 'readings-1a2b'
 * plan(spec).applicationId; // '<topology>-1a2b'
 * ```
 */
export function renameTopology(spec: TopologySpec, rename: (name: string) => string): RenamedTopology {
  const names = new Map<string, string>();
  const to = (name: string): string => {
    let renamed = names.get(name);
    if (renamed === undefined) names.set(name, (renamed = rename(name)));
    return renamed;
  };
  const steps = (list: readonly StepSpec[]): StepSpec[] => list.map((step) => renameStep(step, to, steps));
  const chains: ChainSpec[] = spec.chains.map((chain) => ({ source: { ...chain.source, topic: to(chain.source.topic) }, steps: steps(chain.steps) }));
  const renamed: TopologySpec = { name: to(spec.name), chains };
  const originals = new Map([...names].map(([original, broker]) => [broker, original] as const));
  return { spec: renamed, names, originals };
}

function renameStep(step: StepSpec, to: (name: string) => string, steps: (list: readonly StepSpec[]) => StepSpec[]): StepSpec {
  switch (step.kind) {
    case 'dead-letter':
    case 'to':
    case 'to-table':
      return { ...step, topic: to(step.topic) };
    case 'branch':
      return { ...step, arms: step.arms.map((arm): ArmSpec => ({ ...arm, steps: steps(arm.steps) })) };
    case 'merge':
      return { ...step, other: { source: { ...step.other.source, topic: to(step.other.source.topic) }, steps: steps(step.other.steps) } };
    case 'validate':
    case 'pipe':
    case 'group-by':
    case 'group-by-key':
    case 'track':
    case 'window':
    case 'aggregate':
    case 'sink':
      // No topic in these; a shallow copy keeps the new spec independent of the old one's objects.
      return { ...step };
    default:
      return assertNever(step);
  }
}

// Exhaustive over step kinds: a new kind that names a topic must be handled here, not silently kept.
function assertNever(step: never): never {
  throw new Error(`renameTopology: unknown step kind ${JSON.stringify((step as { kind?: unknown }).kind)}`);
}
