import type { StepSpec } from '../plan/topology-spec.js';

/** Keyed by the `Output` an arm callback returned; weak so finished topologies are not kept alive. */
const armSteps = new WeakMap<object, readonly StepSpec[]>();

/**
 * @internal Records that `output` ends a branch arm made of `steps`.
 *
 * @example
 * ```ts
 * markArmSteps(output, [{ kind: 'to', topic: 'bus.fast' }]);
 * armStepsOf(output); // [{ kind: 'to', topic: 'bus.fast' }]
 * ```
 */
export function markArmSteps(output: object, steps: readonly StepSpec[]): void {
  armSteps.set(output, steps);
}

/**
 * @internal The steps of a finished branch arm (what an arm callback returned).
 *
 * @example
 * ```ts
 * armStepsOf(topology('t')); // undefined: not an arm
 * ```
 */
export function armStepsOf(result: object): readonly StepSpec[] | undefined {
  return armSteps.get(result);
}

/**
 * @internal Extracts an arm's steps, or explains what the callback must return.
 *
 * @example
 * ```ts
 * finishedArm('by-speed', 'fast', topology('t')); // throws: arm "fast" of branch "by-speed" must return the stream it was given, …
 * ```
 */
export function finishedArm(branch: string, arm: string, result: object): readonly StepSpec[] {
  const steps = armStepsOf(result);
  if (steps === undefined) {
    throw new Error(
      `arm "${arm}" of branch "${branch}" must return the stream it was given, ended with .to(), .toTable() or another branch`,
    );
  }
  return steps;
}
