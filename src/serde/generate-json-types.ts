import type { JsonSchema } from './schema-document.js';

/**
 * A JSON Schema to generate a type for: its name (the `.schema.json` file
 * name) and the schema. A {@link LoadedJsonSchema} fits.
 *
 * @example
 * ```ts
 * const input: JsonTypeSource = { name: 'order', schema: { title: 'Order', type: 'object', properties: { id: { type: 'string' } } } };
 * ```
 */
export interface JsonTypeSource {
  readonly name: string;
  readonly schema: JsonSchema;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * One TypeScript declaration per JSON Schema, for `sluice schemas codegen`:
 * an object schema becomes an interface named after its `title` (else the
 * file name, PascalCased) whose properties are optional unless `required`;
 * `string` → `string`, `integer`/`number` → `number`, `boolean`, `null`,
 * arrays, nested objects inline, `enum`/`const` → literals, a `type` list →
 * a union. What it does not follow (`$ref`, `anyOf`, `oneOf`, `allOf`…) is
 * `unknown`, which a topology narrows itself. `taken` are names already
 * declared (the Avro records): a clash gets a `Json` suffix.
 *
 * @example
 * ```ts
 * jsonSchemaDeclarations([{ name: 'order', schema: { title: 'Order', type: 'object',
 *   properties: { id: { type: 'string' }, at: { type: 'integer' } }, required: ['id'] } }], new Set());
 * // { blocks: ['export interface Order {\n  id: string;\n  at?: number;\n}'], types: ['Order'] }
 * ```
 */
export function jsonSchemaDeclarations(schemas: readonly JsonTypeSource[], taken: ReadonlySet<string>): { blocks: string[]; types: string[] } {
  const used = new Set(taken);
  const blocks: string[] = [];
  const types: string[] = [];
  for (const { name, schema } of schemas) {
    let declared = identifier(typeof schema['title'] === 'string' ? pascal(schema['title']) : name.split(/[^A-Za-z0-9]+/).map(pascal).join(''));
    if (used.has(declared)) declared = `${declared}Json`;
    used.add(declared);
    const doc = typeof schema['description'] === 'string' ? `/** ${schema['description'].replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n` : '';
    const body = typeExpression(schema, '');
    blocks.push(body.startsWith('{') && body.endsWith('}') ? `${doc}export interface ${declared} ${body}` : `${doc}export type ${declared} = ${body};`);
    types.push(declared);
  }
  return { blocks, types };
}

function typeExpression(schema: unknown, indent: string): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  if (!isObject(schema)) return 'unknown';
  if (Array.isArray(schema['enum'])) return union(schema['enum'].map(literal));
  if ('const' in schema) return literal(schema['const']);
  const declared = schema['type'];
  const kinds = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared.filter((t): t is string => typeof t === 'string') : [];
  if (kinds.length === 0) return isObject(schema['properties']) ? objectType(schema, indent) : 'unknown';
  return union(kinds.map((kind) => {
    switch (kind) {
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': {
        const items = typeExpression(schema['items'], indent);
        return IDENTIFIER.test(items) ? `${items}[]` : `Array<${items}>`;
      }
      case 'object': return objectType(schema, indent);
      default: return 'unknown';
    }
  }));
}

function objectType(schema: Readonly<Record<string, unknown>>, indent: string): string {
  const properties = schema['properties'];
  if (!isObject(properties)) return 'Record<string, unknown>';
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
  const inner = `${indent}  `;
  const lines = Object.entries(properties).map(([key, value]) => {
    const doc = isObject(value) && typeof value['description'] === 'string' ? `${inner}/** ${value['description'].replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n` : '';
    return `${doc}${inner}${IDENTIFIER.test(key) ? key : quote(key)}${required.has(key) ? '' : '?'}: ${typeExpression(value, inner)};`;
  });
  return lines.length === 0 ? 'Record<string, unknown>' : `{\n${lines.join('\n')}\n${indent}}`;
}

function union(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  const ordered = [...unique.filter((p) => p !== 'null'), ...unique.filter((p) => p === 'null')];
  return ordered.length === 0 ? 'never' : ordered.join(' | ');
}

function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return 'unknown';
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function pascal(part: string): string {
  return part.charAt(0).toUpperCase() + part.slice(1);
}

function identifier(text: string): string {
  const cleaned = text.replace(/[^\w$]/g, '_');
  return /^\d/.test(cleaned) ? `_${cleaned}` : cleaned;
}
