import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import { runAll, type Processor } from './processor.js';

/**
 * `.merge()`: where the chains of a task's sources meet. Compiled once per
 * task, and reached from every merged source, so what follows it (a window,
 * a table) holds one state for all of them.
 *
 * @example
 * ```ts
 * await new MergeProcessor(next).run(envelopes, ctx); // passes every record on, unchanged
 * ```
 */
export class MergeProcessor implements Processor {
  constructor(private readonly next: readonly Processor[]) {}

  run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    return runAll(this.next, envelopes, ctx);
  }
}
