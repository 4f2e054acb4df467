import { Prng } from '../chaos/prng.js';
import type { AvroRecordSchema } from '../../src/serde/index.js';

/**
 * A schema with every shape `sluice produce` must read (unions of null with a
 * string, a record and a map; an enum; a nested array of records; a decimal;
 * bytes; a timestamp; a long near 2^53; defaults), and seeded records of it,
 * each as a JSON line written the ways people type it and as the value
 * `sluice consume` must print. The expected value is built here, from the
 * drawn numbers, never by the code under test.
 */
export function ordersSchema(namespace: string): AvroRecordSchema {
  return {
    type: 'record',
    name: 'Order',
    namespace,
    fields: [
      { name: 'id', type: 'string' },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['CREATED', 'PAID', 'SHIPPED', 'CANCELLED'] } },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
      {
        name: 'shipTo',
        type: [
          'null',
          {
            type: 'record',
            name: 'Address',
            fields: [
              { name: 'street', type: 'string' },
              { name: 'city', type: 'string' },
              { name: 'zip', type: ['null', 'string'], default: null },
            ],
          },
        ],
        default: null,
      },
      {
        name: 'items',
        type: {
          type: 'array',
          items: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }, { name: 'price', type: ['null', 'double'] }] },
        },
      },
      { name: 'tags', type: ['null', { type: 'map', values: 'long' }], default: null },
      { name: 'raw', type: 'bytes', default: '' },
      { name: 'flag', type: 'boolean', default: false },
      { name: 'seq', type: 'long' },
    ],
  } as AvroRecordSchema;
}

/** One record: the JSON line to produce, the value consume must print, its key. */
export interface SampleLine {
  readonly key: string;
  readonly line: string;
  readonly expected: Record<string, unknown>;
}

const WORDS = ['alpha', 'Zürich', 'naïve café', 'line\nbreak', 'quote " and \\ slash', '東京', '🚚 emoji', '', 'tab\there'];
const KINDS = ['CREATED', 'PAID', 'SHIPPED', 'CANCELLED'];

/** `count` seeded records of {@link ordersSchema}; ids are unique (`o-<seed>-<i>`). */
export function sampleLines(seed: number, count: number, namespace: string): SampleLine[] {
  const rng = new Prng(seed);
  const out: SampleLine[] = [];
  for (let i = 0; i < count; i++) {
    const id = `o-${seed}-${i}${rng.chance(0.2) ? ` ${rng.pick(WORDS)}` : ''}`;
    const at = 1_700_000_000_000 + rng.int(0, 90 * 86_400_000);
    const kind = rng.pick(KINDS);
    const note = rng.chance(0.5) ? null : rng.pick(WORDS);
    const cents = rng.int(-500_000, 9_999_999);
    const shipTo = rng.chance(0.4) ? null : { street: `${rng.int(1, 400)} ${rng.pick(WORDS)}`, city: rng.pick(WORDS), zip: rng.chance(0.5) ? null : String(rng.int(10000, 99999)) };
    const items = Array.from({ length: rng.int(0, 4) }, (_, n) => ({ sku: `sku-${n}-${rng.int(0, 999)}`, qty: rng.int(-5, 2 ** 31 - 1), price: rng.chance(0.3) ? null : Math.round(rng.between(0, 1000) * 100) / 100 }));
    const tags = rng.chance(0.5) ? null : Object.fromEntries(Array.from({ length: rng.int(0, 3) }, () => [rng.pick(['a', 'b', 'string', 'long', 'map', 'é']), rng.int(-1e12, 1e12)]));
    const rawBytes = Array.from({ length: rng.int(0, 6) }, () => rng.int(0, 255));
    const raw = String.fromCharCode(...rawBytes);
    const flag = rng.chance(0.5);
    const seq = rng.chance(0.2) ? rng.pick([9_007_199_254_740_990, -(2 ** 52), 0]) : rng.int(-1e15, 1e15);

    const input: Record<string, unknown> = { id, kind, items: items.map((it) => ({ ...it, price: wrapMaybe(rng, it.price, 'double') })) };
    input.at = rng.pick([at, new Date(at).toISOString(), String(at)]);
    if (note !== null || rng.chance(0.5)) input.note = wrapMaybe(rng, note, 'string');
    input.amount = rng.chance(0.5) ? decimalText(cents) : cents / 100;
    if (shipTo !== null || rng.chance(0.5)) {
      const address = shipTo === null ? null : { street: shipTo.street, city: shipTo.city, ...(shipTo.zip === null && rng.chance(0.5) ? {} : { zip: wrapMaybe(rng, shipTo.zip, 'string') }) };
      input.shipTo = address === null ? null : rng.chance(0.5) ? address : { [rng.pick([`${namespace}.Address`, 'Address'])]: address };
    }
    if (tags !== null || rng.chance(0.5)) input.tags = tags !== null && rng.chance(0.3) ? { map: tags } : tags;
    if (raw !== '' || rng.chance(0.5)) input.raw = raw;
    if (flag || rng.chance(0.5)) input.flag = flag;
    input.seq = rng.chance(0.5) ? seq : String(seq);
    out.push({
      key: id,
      line: JSON.stringify(input),
      expected: { id, at, kind, note, amount: decimalText(cents), shipTo, items, tags, raw, flag, seq },
    });
  }
  return out;
}

/** Half the time Avro's wrapped union form. */
function wrapMaybe(rng: Prng, value: unknown, branch: string): unknown {
  return value !== null && rng.chance(0.5) ? { [branch]: value } : value;
}

/** Cents as the exact text a decimal(9, 2) prints: -1234 → "-12.34". */
export function decimalText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
