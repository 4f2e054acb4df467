import type { SeededRandom } from './seeded-random.js';

/** Short words for strings the schema says nothing about: few per field, so grouping on them groups something. */
const WORDS = [
  'amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor', 'iris', 'juniper', 'kestrel', 'lumen',
  'maple', 'north', 'orchid', 'pine', 'quartz', 'river', 'summit', 'tundra', 'umber', 'valley', 'willow', 'zephyr',
] as const;
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * What an identifier-like field is about: `lot_id` → `lot`, `customerId` →
 * `customer`, `route` → `route`.
 *
 * @example
 * ```ts
 * fieldStem('vehicle_id'); // 'vehicle'
 * ```
 */
export function fieldStem(field: string): string {
  const stem = field.replace(/(_id|Id|ID|_key|Key|_code|Code)$/, '').replace(/_/g, '-').toLowerCase();
  return stem === '' ? field.toLowerCase() : stem;
}

/**
 * The `count` values a key field draws from: `lot-01` … `lot-50` for
 * `lot_id` (zero-padded to one width, so they sort).
 *
 * @example
 * ```ts
 * keyStrings('lot_id', 3); // ['lot-1', 'lot-2', 'lot-3']
 * ```
 */
export function keyStrings(field: string, count: number): string[] {
  const stem = fieldStem(field);
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `${stem}-${String(i + 1).padStart(width, '0')}`);
}

/**
 * How a plain `string` field is filled, chosen by its name: identifiers get
 * a short random suffix (`event-k3x9q2ma`, unique enough for idempotent
 * sinks), e-mails and URLs look like them, names are capitalised words,
 * anything else is one of a few short words.
 *
 * @example
 * ```ts
 * stringDrawFor('event_id')(random); // 'event-k3x9q2ma'
 * stringDrawFor('email')(random);    // 'maple.north@example.com'
 * stringDrawFor('status')(random);   // 'cedar'
 * ```
 */
export function stringDrawFor(field: string): (random: SeededRandom) => string {
  switch (stringStyle(field)) {
    case 'id': {
      const stem = fieldStem(field);
      return (random) => {
        let suffix = '';
        for (let i = 0; i < 8; i++) suffix += BASE36[random.int(0, 35)];
        return `${stem}-${suffix}`;
      };
    }
    case 'email': return (random) => `${random.pick(WORDS)}.${random.pick(WORDS)}@example.com`;
    case 'url': return (random) => `https://example.com/${random.pick(WORDS)}/${random.int(1, 999)}`;
    case 'name': return (random) => `${capital(random.pick(WORDS))} ${capital(random.pick(WORDS))}`;
    default: return (random) => random.pick(WORDS);
  }
}

/**
 * What {@link stringDrawFor} makes of a field, for what `sluice generate` prints.
 *
 * @example
 * ```ts
 * describeStringDraw('event_id'); // 'ids such as event-k3x9q2ma'
 * ```
 */
export function describeStringDraw(field: string): string {
  switch (stringStyle(field)) {
    case 'id': return `ids such as ${fieldStem(field)}-k3x9q2ma`;
    case 'email': return 'e-mail addresses';
    case 'url': return 'URLs';
    case 'name': return 'names such as Amber Birch';
    default: return `one of ${WORDS.length} short words`;
  }
}

function stringStyle(field: string): 'id' | 'email' | 'url' | 'name' | 'word' {
  const name = field.toLowerCase();
  if (/(^|_)id$|[a-z]Id$/.test(field) || name === 'id') return 'id';
  if (name.includes('email')) return 'email';
  if (/(url|uri|link)$/.test(name)) return 'url';
  if (name.endsWith('name')) return 'name';
  return 'word';
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
