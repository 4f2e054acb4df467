import type { OperatorFunction } from 'rxjs';
import type { PipeNode } from '../../plan/plan-node.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import { runPipe } from '../run-pipe.js';
import { runAll, type Processor } from './processor.js';
import { errorText } from '../../error-text.js';

/**
 * Runs the user's RxJS operators over the batch (see `runPipe`); records
 * whose processing threw go to the dead-letter topic with reason `error`.
 *
 * @example
 * ```ts
 * new PipeProcessor(node, code.operators(node.name), next).run(envelopes, ctx);
 * ```
 */
export class PipeProcessor implements Processor {
  constructor(
    private readonly node: PipeNode,
    private readonly operators: readonly OperatorFunction<unknown, unknown>[],
    private readonly next: readonly Processor[],
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { outputs, failures } = await runPipe(this.operators, envelopes);
    for (const { envelope, error } of failures) {
      ctx.deadLetter(envelope.origin, this.node.deadLetter, 'error', this.node.name, errorText(error));
    }
    await runAll(this.next, outputs, ctx);
  }
}
