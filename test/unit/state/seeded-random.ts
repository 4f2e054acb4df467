import { SeededRandom } from '../../../src/cli/generators/seeded-random.js';

/** The product's seeded generator (mulberry32) as a bare function, so randomized tests replay exactly. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Integer in [lo, hi]. */
export function randomInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}
