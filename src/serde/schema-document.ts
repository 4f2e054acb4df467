import type { AvroSchema } from './avro-schema.js';
import type { SchemaFormat } from './codec.js';

/**
 * A JSON Schema document (draft-07 or 2020-12, chosen by its `$schema`), as
 * written in a `.schema.json` file and exchanged with a registry under
 * `schemaType: "JSON"`.
 *
 * @example
 * ```ts
 * const order: JsonSchema = {
 *   $schema: 'https://json-schema.org/draft/2020-12/schema',
 *   type: 'object',
 *   properties: { order_id: { type: 'string' }, amount: { type: 'number' } },
 *   required: ['order_id', 'amount'],
 * };
 * ```
 */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * A schema with its format: what a registry stores under one id. Avro
 * schemas travel without a `schemaType` (the registry's default), JSON
 * Schemas with `schemaType: "JSON"`.
 *
 * @example
 * ```ts
 * const doc: SchemaDocument = { format: 'json', schema: { type: 'object', properties: { id: { type: 'string' } } } };
 * ```
 */
export type SchemaDocument =
  | { readonly format: 'avro'; readonly schema: AvroSchema }
  | { readonly format: 'json'; readonly schema: JsonSchema };

/**
 * The registry's `schemaType` of a format.
 *
 * @example
 * ```ts
 * registrySchemaType('json'); // 'JSON'
 * ```
 */
export function registrySchemaType(format: SchemaFormat): 'AVRO' | 'JSON' {
  return format === 'json' ? 'JSON' : 'AVRO';
}

/**
 * Which format a file's parsed JSON is: a `.schema.json` file, or any
 * `.json` file whose top level has `$schema`, is a JSON Schema; `.avsc`
 * is Avro; anything else is not a schema file (`undefined`).
 *
 * @example
 * ```ts
 * schemaFileFormat('order.schema.json', {});                      // 'json'
 * schemaFileFormat('order.json', { $schema: 'http://json-schema.org/draft-07/schema#' }); // 'json'
 * schemaFileFormat('order.json', { type: 'record' });             // undefined
 * schemaFileFormat('order.avsc', { type: 'record' });             // 'avro'
 * ```
 */
export function schemaFileFormat(fileName: string, parsed?: unknown): SchemaFormat | undefined {
  if (fileName.endsWith('.avsc')) return 'avro';
  if (fileName.endsWith('.schema.json')) return 'json';
  if (fileName.endsWith('.json')) {
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && '$schema' in parsed ? 'json' : undefined;
  }
  return undefined;
}

/**
 * The name topologies use for a schema file: the file name without
 * `.avsc`, `.schema.json` or `.json`.
 *
 * @example
 * ```ts
 * schemaFileName('schemas/order.schema.json'); // 'order'
 * schemaFileName('bus-telemetry.avsc');        // 'bus-telemetry'
 * ```
 */
export function schemaFileName(path: string): string {
  const base = path.replace(/^.*[/\\]/, '');
  return base.replace(/(\.schema\.json|\.json|\.avsc)$/, '');
}
