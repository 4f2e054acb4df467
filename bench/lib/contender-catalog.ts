import type { Contender } from './contender.js';
import { baselineContender, ceilingContender } from './exiting-contenders.js';
import { kafkaStreamsContender } from './kafka-streams-contender.js';
import { sluiceContender } from './sluice-contender.js';

/** Options some contenders take. */
export interface CatalogOptions {
  /** The Python baseline stops after this many seconds per round; its oracle covers what it read. */
  readonly baselineMaxSeconds: number;
}

/**
 * The contenders by name, in the order given.
 *
 * @example
 * ```ts
 * contenderCatalog(['ceiling', 'sluice'], { baselineMaxSeconds: 60 });
 * ```
 */
export function contenderCatalog(names: readonly string[], options: CatalogOptions): Contender[] {
  const known: Record<string, () => Contender> = {
    ceiling: ceilingContender,
    sluice: sluiceContender,
    'kafka-streams': kafkaStreamsContender,
    baseline: () => baselineContender(options.baselineMaxSeconds),
  };
  return names.map((name) => {
    const make = known[name];
    if (!make) throw new Error(`unknown contender "${name}" (known: ${Object.keys(known).join(', ')})`);
    return make();
  });
}
