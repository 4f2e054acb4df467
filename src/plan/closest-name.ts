/**
 * The candidate a mistyped `name` most likely meant, for "did you mean …?":
 * the same name in another case or spelling style (`routeId` for `route_id`),
 * else the nearest by edit distance (insertions, deletions, substitutions and
 * swaps of two neighbours count one each) if it is within a third of the
 * longer name's length (at least 1). Ties go to the earlier candidate, so the
 * answer follows the schema's field order. `undefined` when nothing is close.
 *
 * @example
 * ```ts
 * closestName('lot_idd', ['lot_id', 'machine', 'at']); // 'lot_id'
 * closestName('routeId', ['route_id', 'bus_id']);       // 'route_id'
 * closestName('speed', ['bus_id', 'at']);               // undefined
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const folded = fold(name);
  const sameFolded = candidates.find((c) => c !== name && fold(c) === folded);
  if (sameFolded !== undefined) return sameFolded;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    const distance = editDistance(name, candidate);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Case and separators do not tell field names apart for a reader: `routeId`, `route_id` and `RouteID` fold alike. */
function fold(name: string): string {
  return name.replace(/[_\-.\s]/g, '').toLowerCase();
}

/** Optimal string alignment distance: a swapped pair of neighbours (`lto_id`) is one edit, as people mistype. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
