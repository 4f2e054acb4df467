import type { ValidateNode } from '../../plan/plan-node.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import { runAll, type Processor } from './processor.js';
import { errorText } from '../../error-text.js';

/**
 * Keeps records whose check returns `true`; the others go to the dead-letter
 * topic with reason `invalid` (or `error` when the check throws).
 *
 * @example
 * ```ts
 * new ValidateProcessor(node, code.validate(node.name), next).run(envelopes, ctx);
 * ```
 */
export class ValidateProcessor implements Processor {
  constructor(
    private readonly node: ValidateNode,
    private readonly check: (value: unknown) => true | string | false,
    private readonly next: readonly Processor[],
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { name, deadLetter } = this.node;
    const check = this.check;
    const kept: Envelope[] = [];
    for (const env of envelopes) {
      let verdict: true | string | false;
      try {
        verdict = check(env.value);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'error', name, `check threw: ${errorText(error)}`);
        continue;
      }
      if (verdict === true) kept.push(env);
      else ctx.deadLetter(env.origin, deadLetter, 'invalid', name, typeof verdict === 'string' ? verdict : 'validation failed');
    }
    await runAll(this.next, kept, ctx);
  }
}
