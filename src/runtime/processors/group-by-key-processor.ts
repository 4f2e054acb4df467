import type { GroupByKeyNode } from '../../plan/plan-node.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import { runAll, type Processor } from './processor.js';

/**
 * `groupByKey`: the records stay in their task (the key is already the group
 * key), so this only turns away records without a key — they have no group —
 * to the dead-letter topic with reason `invalid`.
 *
 * @example
 * ```ts
 * new GroupByKeyProcessor(node, next).run(envelopes, ctx);
 * ```
 */
export class GroupByKeyProcessor implements Processor {
  constructor(
    private readonly node: GroupByKeyNode,
    private readonly next: readonly Processor[],
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { name, deadLetter } = this.node;
    const keyed: Envelope[] = [];
    for (const env of envelopes) {
      if (env.key !== null) keyed.push(env);
      else ctx.deadLetter(env.origin, deadLetter, 'invalid', name, 'the record has no key, and groupByKey groups by the record key');
    }
    await runAll(this.next, keyed, ctx);
  }
}
