import { describe, expect, it } from 'vitest';
import { partitionKey, partitionKeyLabel } from '../../src/partition-key.js';
import { randomInt, seededRandom } from './state/seeded-random.js';

// Legal Kafka topic characters; digits and dots make prefixes like 'a.1' / 'a' + '.1' likely to collide if the key were naive.
const ALPHABET = 'ab1._-';

describe('partitionKey', () => {
  it('tells every (topic, partition) pair apart and labels it topic[partition]', () => {
    const random = seededRandom(19);
    const pairs = new Map<string, [string, number]>();
    for (let i = 0; i < 5_000; i++) {
      const topic = Array.from({ length: randomInt(random, 1, 4) }, () => ALPHABET[randomInt(random, 0, ALPHABET.length - 1)]).join('');
      const partition = randomInt(random, 0, 120);
      pairs.set(JSON.stringify([topic, partition]), [topic, partition]);
    }
    const keys = new Set([...pairs.values()].map(([t, p]) => partitionKey(t, p)));
    expect(keys.size).toBe(pairs.size);
    for (const [t, p] of pairs.values()) expect(partitionKeyLabel(partitionKey(t, p))).toBe(`${t}[${p}]`);
  });
});
