import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';

/**
 * A compiled plan node: handles a whole batch of envelopes at once (so
 * per-batch machinery, like an RxJS chain, is built once per batch).
 *
 * @example
 * ```ts
 * const passThrough: Processor = { run: (envs, ctx) => runAll(next, envs, ctx) };
 * ```
 */
export interface Processor {
  run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void>;
}

/**
 * Runs the children of a node, one after the other, on the same envelopes.
 *
 * @example
 * ```ts
 * await runAll(this.next, kept, ctx);
 * ```
 */
export async function runAll(next: readonly Processor[], envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
  if (envelopes.length === 0) return;
  for (const processor of next) await processor.run(envelopes, ctx);
}
