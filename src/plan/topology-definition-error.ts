/**
 * A topology that cannot run, found at load time. The message names the
 * topology, the step and the fix.
 *
 * @example
 * ```ts
 * try { plan(t); } catch (e) {
 *   if (e instanceof TopologyDefinitionError) console.error(e.message);
 *   // topology "bus": step "ranges": validate has no dead-letter topic for the records it rejects.
 *   //   Fix: add .deadLetter('<topic>') to the chain, e.g. .validate('ranges', …).deadLetter('bus.dlq')
 * }
 * ```
 */
export class TopologyDefinitionError extends Error {
  override readonly name = 'TopologyDefinitionError';

  constructor(
    readonly topology: string,
    readonly step: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`topology "${topology}": step "${step}": ${problem}.\n  Fix: ${fix}`);
  }
}
