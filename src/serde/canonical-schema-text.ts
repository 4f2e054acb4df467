import type { AvroSchema } from './avro-schema.js';
import type { JsonSchema } from './schema-document.js';

/**
 * A stable text for a schema's content: JSON with object keys sorted, no
 * whitespace. Two schemas that differ only in key order or formatting give the
 * same text, so content-addressed ids (same schema → same id) and idempotent
 * registration caches agree.
 *
 * @example
 * ```ts
 * canonicalSchemaText({ name: 'P', type: 'record', fields: [] }) ===
 *   canonicalSchemaText({ type: 'record', fields: [], name: 'P' }); // true
 * ```
 */
export function canonicalSchemaText(schema: AvroSchema | JsonSchema): string {
  return JSON.stringify(sortKeys(schema));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
