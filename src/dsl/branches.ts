import type { ArmSpec } from '../plan/topology-spec.js';
import { finishedArm } from './arm-steps.js';
import type { Stream } from './stream.js';
import type { StreamContext } from './stream-context.js';
import type { Topology } from './topology-builder.js';

/**
 * The arms of a {@link Stream.branch}: tried in order, the first match wins.
 * Immutable: `when` and `otherwise` return a new value.
 *
 * @example
 * ```ts
 * .branch('by-kind', (b) => b
 *   .when('alerts', (e): e is Alert => e.kind === 'alert', (s) => s.to('alerts'))
 *   .otherwise('rest', (s) => s.to('rest')))
 * ```
 */
export class Branches<T> {
  readonly #ctx: StreamContext;
  /** @internal */ readonly arms: readonly ArmSpec[];

  /** @internal Created by `Stream.branch`. */
  constructor(ctx: StreamContext, arms: readonly ArmSpec[] = []) {
    this.#ctx = ctx;
    this.arms = arms;
  }

  /**
   * An arm taking the records for which `predicate` holds (a type guard
   * narrows the arm's record type).
   *
   * @example
   * ```ts
   * b.when('fast', (e) => e.speed_kmh > 100, (s) => s.to('bus.fast'))
   * ```
   */
  when<U extends T>(name: string, predicate: (value: T) => value is U, arm: (stream: Stream<U>) => Topology): Branches<T>;
  when(name: string, predicate: (value: T) => boolean, arm: (stream: Stream<T>) => Topology): Branches<T>;
  when(name: string, predicate: (value: T) => boolean, arm: (stream: Stream<T>) => Topology): Branches<T> {
    const steps = finishedArm('branch', name, arm(this.#ctx.open<T>(this.#ctx)));
    const spec: ArmSpec = Object.freeze({ name, when: predicate as (value: unknown) => boolean, steps });
    return new Branches<T>(this.#ctx, [...this.arms, spec]);
  }

  /**
   * The arm for records no `when` matched.
   *
   * @example
   * ```ts
   * b.otherwise('normal', (s) => s.to('bus.normal'))
   * ```
   */
  otherwise(name: string, arm: (stream: Stream<T>) => Topology): Branches<T> {
    const steps = finishedArm('branch', name, arm(this.#ctx.open<T>(this.#ctx)));
    return new Branches<T>(this.#ctx, [...this.arms, Object.freeze({ name, steps })]);
  }
}
