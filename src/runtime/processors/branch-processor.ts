import type { BranchNode } from '../../plan/plan-node.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import { runAll, type Processor } from './processor.js';
import { errorText } from '../../error-text.js';

/**
 * A compiled arm: its predicate (absent: takes everything left) and children.
 *
 * @example
 * ```ts
 * const arm: CompiledArm = { name: 'b.fast', deadLetter: undefined, when: (v) => true, next: [] };
 * ```
 */
export interface CompiledArm {
  readonly name: string;
  readonly deadLetter: string | undefined;
  readonly when: ((value: unknown) => boolean) | undefined;
  readonly next: readonly Processor[];
}

/**
 * Routes records to arms: the first matching arm (`first-match`) or every
 * arm (`broadcast`). A throwing predicate dead-letters the record (`error`).
 *
 * @example
 * ```ts
 * new BranchProcessor(node, arms).run(envelopes, ctx);
 * ```
 */
export class BranchProcessor implements Processor {
  constructor(
    private readonly node: BranchNode,
    private readonly arms: readonly CompiledArm[],
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    if (this.node.mode === 'broadcast') {
      for (const arm of this.arms) await runAll(arm.next, envelopes, ctx);
      return;
    }
    const routed: Envelope[][] = this.arms.map(() => []);
    for (const env of envelopes) {
      try {
        const index = this.arms.findIndex((arm) => arm.when === undefined || arm.when(env.value));
        if (index >= 0) routed[index]!.push(env);
      } catch (error) {
        ctx.deadLetter(env.origin, this.node.deadLetter, 'error', this.node.name, `branch predicate threw: ${errorText(error)}`);
      }
    }
    for (let i = 0; i < this.arms.length; i++) await runAll(this.arms[i]!.next, routed[i]!, ctx);
  }
}
