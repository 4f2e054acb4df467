import type { SeededRandom } from './seeded-random.js';

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number; readonly width: number }
  | { readonly kind: 'choice'; readonly options: readonly string[] };

/**
 * A string template of the generate config: literal text with `{lo..hi}`
 * (a whole number in that range; a leading zero pads, `{01..20}` → `07`)
 * and `{a|b|c}` (one of the alternatives) in it.
 *
 * @example
 * ```ts
 * const p = parseStringPattern('lot-{1..20}/{north|south}');
 * p.draw(new SeededRandom(1)); // 'lot-14/south'
 * p.size;                      // 40 distinct values
 * ```
 */
export interface StringPattern {
  readonly source: string;
  /** How many distinct strings it can make. */
  readonly size: number;
  draw(random: SeededRandom): string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const RANGE = /^(-?\d+)\.\.(-?\d+)$/;

/**
 * Parses a pattern; a placeholder that is neither a range nor alternatives
 * is an error naming it.
 *
 * @example
 * ```ts
 * parseStringPattern('bay-{9..1}'); // Error: pattern "bay-{9..1}": range {9..1} runs backwards; write {1..9}
 * ```
 */
export function parseStringPattern(source: string): StringPattern {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + match[0].length;
    const inner = match[1] ?? '';
    const range = RANGE.exec(inner);
    if (range !== null) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (lo > hi) throw new Error(`pattern "${source}": range {${inner}} runs backwards; write {${hi}..${lo}}`);
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error(`pattern "${source}": range {${inner}} is too large`);
      const padded = /^-?0\d/.test(range[1] ?? '');
      parts.push({ kind: 'range', lo, hi, width: padded ? (range[1] ?? '').replace('-', '').length : 0 });
    } else if (inner.includes('|')) {
      parts.push({ kind: 'choice', options: inner.split('|') });
    } else {
      throw new Error(`pattern "${source}": {${inner}} is neither a range such as {1..20} nor alternatives such as {north|south}`);
    }
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  if (/[{}]/.test(parts.filter((p) => p.kind === 'text').map((p) => p.text).join(''))) {
    throw new Error(`pattern "${source}": unbalanced { or }`);
  }
  const size = parts.reduce((n, p) => n * (p.kind === 'range' ? p.hi - p.lo + 1 : p.kind === 'choice' ? p.options.length : 1), 1);
  return {
    source,
    size,
    draw: (random) => {
      let out = '';
      for (const p of parts) {
        if (p.kind === 'text') out += p.text;
        else if (p.kind === 'choice') out += random.pick(p.options);
        else {
          const n = random.int(p.lo, p.hi);
          out += p.width > 0 ? `${n < 0 ? '-' : ''}${String(Math.abs(n)).padStart(p.width, '0')}` : String(n);
        }
      }
      return out;
    },
  };
}
