import type { ChainSpec, SourceSpec } from '../plan/topology-spec.js';
import type { Stream } from './stream.js';

/**
 * @internal What a stream builder knows about the topology around it.
 *
 * @example
 * ```ts
 * const ctx: StreamContext = { name: 'bus', chains: [], open: (c) => new Stream(c, []) };
 * ctx.open<Bus>(ctx); // a Stream<Bus> with no steps
 * ```
 */
export interface StreamContext {
  readonly name: string;
  /** Chains finished before this one. */
  readonly chains: readonly ChainSpec[];
  /** The chain's source; absent inside a branch arm. */
  readonly source?: SourceSpec;
  /**
   * Opens a stream with no steps in `ctx`. Carried here so that `Topology`
   * and `Branches` make streams without importing `Stream` at run time:
   * `Stream` imports them, and the DSL's modules must form no cycle.
   */
  readonly open: <T>(ctx: StreamContext) => Stream<T>;
}
