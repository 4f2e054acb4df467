import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_GENERATOR_CONFIG, GeneratorConfigError, loadGeneratorConfig, parseGeneratorConfig } from '../../../src/cli/generators/generator-config.js';
import { SeededRandom } from '../../../src/cli/generators/seeded-random.js';
import { parseStringPattern } from '../../../src/cli/generators/string-pattern.js';

describe('the generate config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-generate-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads settings and one rule per field', () => {
    const config = parseGeneratorConfig(
      JSON.stringify({ partitions: 6, keys: 12, key: 'lot_id', fields: { a: 3, b: { value: { x: 1 } }, c: { oneOf: ['x', 'y'] }, d: { min: 1, max: 2 }, e: { pattern: 'p-{1..3}' }, f: null } }),
      'g.json',
    );
    expect(config).toMatchObject({ file: 'g.json', partitions: 6, keys: 12, key: 'lot_id' });
    expect(Object.fromEntries([...config.fields].map(([k, v]) => [k, v.kind]))).toEqual({ a: 'value', b: 'value', c: 'one-of', d: 'range', e: 'pattern', f: 'value' });
    expect(config.fields.get('b')).toEqual({ kind: 'value', value: { x: 1 } });
    expect(config.fields.get('f')).toEqual({ kind: 'value', value: null });
    expect(parseGeneratorConfig('{}', 'g.json')).toMatchObject({ keys: 50, partitions: undefined, key: undefined });
  });

  test.each([
    ['{ "fields": ', 'g.json: not valid JSON'],
    ['[]', 'g.json: expected an object such as { "fields": { "speed": { "min": 0, "max": 120 } } }, got []'],
    ['{ "feilds": {} }', 'g.json: unknown setting "feilds" (settings: partitions, keys, key, fields)'],
    ['{ "keys": 0 }', 'g.json: "keys" must be a whole number ≥ 1, got 0'],
    ['{ "partitions": 2.5 }', 'g.json: "partitions" must be a whole number ≥ 1, got 2.5'],
    ['{ "key": 7 }', 'g.json: "key" must name a top-level field, got 7'],
    ['{ "fields": [1] }', 'g.json: "fields" must be an object of field rules, got [1]'],
    ['{ "fields": { "speed": { "minimum": 0 } } }', 'g.json: field "speed": unknown rule "minimum": use { "value": v }, { "oneOf": [a, b] }, { "min": a, "max": b } or { "pattern": "lot-{1..20}" }'],
    ['{ "fields": { "speed": { "min": 0 } } }', 'g.json: field "speed": "min" and "max" go together, each a number or an ISO-8601 time such as "2026-01-05T08:00:00Z"; "max" is nothing'],
    ['{ "fields": { "speed": { "min": 5, "max": 1 } } }', 'g.json: field "speed": "min" 5 is above "max" 1'],
    ['{ "fields": { "at": { "min": 5, "max": "2026-01-01" } } }', 'g.json: field "at": "min" and "max" must both be numbers or both ISO-8601 times'],
    ['{ "fields": { "at": { "min": "soon", "max": "later" } } }', 'g.json: field "at": "min" and "max" go together, each a number or an ISO-8601 time'],
    ['{ "fields": { "s": { "oneOf": [] } } }', 'g.json: field "s": "oneOf" must be a non-empty array, got []'],
    ['{ "fields": { "s": { "oneOf": ["a"], "value": "b" } } }', 'g.json: field "s": give exactly one of'],
    ['{ "fields": { "s": { "pattern": 3 } } }', 'g.json: field "s": "pattern" must be a string such as "lot-{1..20}", got 3'],
    ['{ "fields": { "s": { "pattern": "bay-{9..1}" } } }', 'g.json: field "s": pattern "bay-{9..1}": range {9..1} runs backwards; write {1..9}'],
    ['{ "fields": { "s": { "pattern": "bay-{n}" } } }', 'pattern "bay-{n}": {n} is neither a range such as {1..20} nor alternatives such as {north|south}'],
    ['{ "fields": { "s": { "pattern": "bay-{1..2" } } }', 'pattern "bay-{1..2": unbalanced { or }'],
  ])('%s is refused: %s', (text, message) => {
    let error: unknown;
    try {
      parseGeneratorConfig(text, 'g.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GeneratorConfigError);
    expect((error as Error).message).toContain(message);
  });

  test('the file beside the topology is optional; a file given with --config is not', async () => {
    expect(await loadGeneratorConfig(join(dir, 'absent.generate.json'), { required: false })).toBe(DEFAULT_GENERATOR_CONFIG);
    await expect(loadGeneratorConfig(join(dir, 'absent.json'), { required: true, shown: 'absent.json' })).rejects.toThrow(/^cannot read the generate config absent\.json: ENOENT/);
    writeFileSync(join(dir, 'p.generate.json'), '{ "keys": 3 }');
    expect((await loadGeneratorConfig(join(dir, 'p.generate.json'), { required: false, shown: 'topologies/p.generate.json' })).file).toBe('topologies/p.generate.json');
  });
});

describe('string patterns', () => {
  test('ranges (padded or not) and alternatives, every value reachable and nothing else', () => {
    const random = new SeededRandom(3);
    const pattern = parseStringPattern('lot-{01..12}/{north|south}#{-2..2}');
    expect(pattern.size).toBe(12 * 2 * 5);
    const seen = new Set(Array.from({ length: 5_000 }, () => pattern.draw(random)));
    expect(seen.size).toBe(120);
    for (const s of seen) expect(s).toMatch(/^lot-(0[1-9]|1[0-2])\/(north|south)#(-[12]|[0-2])$/);
    expect(parseStringPattern('plain').draw(random)).toBe('plain');
  });
});
