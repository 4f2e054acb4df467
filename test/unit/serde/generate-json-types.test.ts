import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { generateTypes, type JsonSchema } from '../../../src/serde/index.js';
import { randomInt, seededRandom } from '../state/seeded-random.js';

// `sluice schemas codegen` for JSON Schemas: seeded random object schemas, values drawn from them
// by a generator written here, and the TypeScript compiler as the oracle — every drawn value must
// type-check against the generated type, and the same value with one property of the wrong kind must not.

type Random = () => number;
const KINDS = ['string', 'integer', 'number', 'boolean', 'enum', 'array', 'object', 'nullable'] as const;

function drawSchema(random: Random, depth: number): JsonSchema {
  const kind = KINDS[randomInt(random, 0, depth > 1 ? 4 : KINDS.length - 1)]!;
  switch (kind) {
    case 'enum': return { enum: ['a', 'b', 'c'].slice(0, randomInt(random, 1, 3)) };
    case 'array': return { type: 'array', items: drawSchema(random, depth + 1) };
    case 'object': return drawObject(random, depth + 1);
    case 'nullable': return { type: ['integer', 'null'] };
    default: return { type: kind };
  }
}

function drawObject(random: Random, depth: number): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const n = randomInt(random, 1, 4);
  for (let i = 0; i < n; i++) properties[`p${depth}_${i}${random() < 0.2 ? '-x' : ''}`] = drawSchema(random, depth);
  const names = Object.keys(properties);
  return { type: 'object', properties, required: names.filter(() => random() < 0.6) };
}

/** A value the schema accepts; optional properties present or not. */
function drawValue(random: Random, schema: JsonSchema): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[randomInt(random, 0, schema.enum.length - 1)];
  const type = Array.isArray(schema.type) ? (random() < 0.5 ? null : 'integer') : schema.type;
  switch (type) {
    case null: return null;
    case 'string': return `s${randomInt(random, 0, 99)}`;
    case 'integer': return randomInt(random, -5, 5);
    case 'number': return randomInt(random, 0, 999) / 10;
    case 'boolean': return random() < 0.5;
    case 'array': return Array.from({ length: randomInt(random, 0, 2) }, () => drawValue(random, schema.items as JsonSchema));
    default: {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required as string[]);
      for (const [k, v] of Object.entries(schema.properties as Record<string, JsonSchema>)) if (required.has(k) || random() < 0.5) out[k] = drawValue(random, v);
      return out;
    }
  }
}

/** Type errors of a program made of one file. */
function typeErrors(source: string): string[] {
  const file = 'generated.ts';
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [], lib: ['lib.es2022.d.ts'] };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(file, source, version) : read(name, version));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.start ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('generateTypes for JSON Schemas', () => {
  test('seeded: every drawn value type-checks against its generated type; a property of the wrong kind does not', () => {
    const random = seededRandom(1919);
    const schemas = Array.from({ length: 12 }, (_, i) => ({ name: `doc-${i}`, schema: { title: `Doc${i}`, ...drawObject(random, 0) } as JsonSchema }));
    const generated = generateTypes([], schemas);
    const good: string[] = [];
    const bad: string[] = [];
    schemas.forEach((s, i) => {
      for (let k = 0; k < 5; k++) good.push(`export const good${i}_${k}: SchemaTypes['doc-${i}'] = ${JSON.stringify(drawValue(random, s.schema))};`);
      // A required property given a value of a kind no schema here allows for it: an object never fits a leaf, a leaf never an object.
      const required = (s.schema.required as string[])[0];
      if (required !== undefined) {
        const value = drawValue(random, s.schema) as Record<string, unknown>;
        const property = (s.schema.properties as Record<string, JsonSchema>)[required]!;
        value[required] = property.type === 'object' ? 'not an object' : { wrong: true };
        bad.push(`// @ts-expect-error\nexport const bad${i}: SchemaTypes['doc-${i}'] = ${JSON.stringify(value)};`);
      }
    });
    expect(bad.length).toBeGreaterThan(3);
    expect(typeErrors(`${generated}\n${good.join('\n')}\n${bad.join('\n')}\n`)).toEqual([]);
  });

  test('an Avro record and a JSON Schema titled alike get distinct names; the Avro-only output is unchanged', () => {
    const avro = [{ name: 'order', schema: { type: 'record' as const, name: 'Order', fields: [{ name: 'id', type: 'string' as const }] } }];
    const text = generateTypes(avro, [{ name: 'order-json', schema: { title: 'Order', type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } }]);
    expect(text).toContain('export interface OrderJson {\n  id: string;\n}');
    expect(text).toContain("  'order': Order;\n  'order-json': OrderJson;");
    expect(generateTypes(avro, [])).toBe(generateTypes(avro));
  });
});
