import { toMillis, toMillisAllowZero, type Duration, type WindowSpec } from '../state/index.js';
import type { StepSpec } from './topology-spec.js';

/**
 * Throws a `TopologyDefinitionError` for the topology being planned.
 *
 * @example
 * ```ts
 * const fail: Fail = (step, problem, fix) => { throw new TopologyDefinitionError('t', step, problem, fix); };
 * ```
 */
export type Fail = (step: string, problem: string, fix: string) => never;

/**
 * A duration in ms, or a load-time error naming the step.
 *
 * @example
 * ```ts
 * durationMs('per-minute', '30s', 'grace', true, fail); // 30000
 * ```
 */
export function durationMs(step: string, value: Duration, what: string, allowZero: boolean, fail: Fail): number {
  try {
    return allowZero ? toMillisAllowZero(value, what) : toMillis(value, what);
  } catch (error) {
    return fail(step, (error as Error).message, `give ${what} as a positive duration such as '30s', '1m' or 30000`);
  }
}

/**
 * The size of a window (the gap for sessions), checked.
 *
 * @example
 * ```ts
 * windowSizeMs('w', tumbling('1m'), fail); // 60000
 * ```
 */
export function windowSizeMs(step: string, window: WindowSpec, fail: Fail): number {
  switch (window.kind) {
    case 'tumbling':
      return durationMs(step, window.sizeMs, 'window size', false, fail);
    case 'hopping': {
      const size = durationMs(step, window.sizeMs, 'window size', false, fail);
      const advance = durationMs(step, window.advanceMs, 'window advance', false, fail);
      if (advance > size) fail(step, `hopping advance (${advance} ms) exceeds the size (${size} ms)`, `use hopping(size, advance) with advance <= size, e.g. hopping('5m', '1m')`);
      return size;
    }
    case 'session':
      return durationMs(step, window.gapMs, 'session gap', false, fail);
    default:
      return fail(step, `unknown window ${JSON.stringify(window)}`, 'use tumbling(), hopping() or session()');
  }
}

/**
 * The first `.deadLetter()` among a chain's (or an arm's) own steps.
 *
 * @example
 * ```ts
 * firstDeadLetter(chain.steps); // 'bus.telemetry.dlq'
 * ```
 */
export function firstDeadLetter(steps: readonly StepSpec[]): string | undefined {
  for (const step of steps) if (step.kind === 'dead-letter') return step.topic;
  return undefined;
}

/**
 * Exhaustiveness check for switches over step kinds.
 *
 * @example
 * ```ts
 * default: return assertNeverStep(step);
 * ```
 */
export function assertNeverStep(step: never): never {
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

/**
 * Freezes a plan deeply (functions are left as they are).
 *
 * @example
 * ```ts
 * const frozen = deepFreeze({ topics: [] });
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child !== 'function') deepFreeze(child);
    }
  }
  return value;
}
