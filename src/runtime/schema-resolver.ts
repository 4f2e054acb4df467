import type { JsonSchemaLookup, SchemaLookup } from '../plan/check-schema-fields.js';
import type { SchemaRef } from '../plan/topology-spec.js';
import { formatAwareResolver, type SchemaResolver } from './codec-set.js';
import { loadSchemaFiles, type AvroSchema, type SchemaDocument } from '../serde/index.js';

/**
 * A schema given to the test driver by name: an Avro schema as it is, or a
 * schema with its format (`{ format: 'json', schema }` for a JSON Schema).
 *
 * @example
 * ```ts
 * const schemas: Record<string, NamedSchema> = { reading: readingAvro, order: { format: 'json', schema: orderJsonSchema } };
 * ```
 */
export type NamedSchema = AvroSchema | SchemaDocument;

/**
 * A {@link SchemaResolver} for tests: inline schemas as they are, names from
 * `schemas` first, then from the schema files of `dir` (`.avsc`, and JSON
 * Schemas in `.schema.json`; loaded once). It knows formats: its `document`
 * says a JSON Schema name is JSON, so a source naming one reads JSON; the
 * resolver itself (Avro) refuses such a name with the fix.
 *
 * @example
 * ```ts
 * const resolve = await schemaResolver({ 'bus-telemetry': busSchema, order: { format: 'json', schema: orderSchema } }, 'schemas');
 * resolve('bus-telemetry');        // busSchema
 * resolve.document?.('order');     // { format: 'json', schema: orderSchema }
 * resolve('order');                // Error: schema 'order' is a JSON Schema; … needs an Avro schema …
 * ```
 */
export async function schemaResolver(schemas: Readonly<Record<string, NamedSchema>>, dir: string | undefined): Promise<SchemaResolver> {
  const files = new Map<string, SchemaDocument & { readonly path?: string }>();
  if (dir !== undefined) {
    try {
      for (const loaded of await loadSchemaFiles(dir)) {
        files.set(loaded.name, loaded.format === 'json' ? { format: 'json', schema: loaded.schema, path: loaded.path } : { format: 'avro', schema: loaded.schema, path: loaded.path });
      }
    } catch (error) {
      // A missing directory is fine when every schema is given inline; a broken file is not.
      if (!(error instanceof Error && error.message.startsWith('cannot read schema directory'))) throw error;
    }
  }
  const document = (ref: SchemaRef): SchemaDocument & { readonly path?: string } => {
    if (typeof ref !== 'string') return { format: 'avro', schema: ref };
    const given = schemas[ref];
    if (given !== undefined) return isSchemaDocument(given) ? given : { format: 'avro', schema: given };
    const file = files.get(ref);
    if (file === undefined) {
      throw new Error(
        `schema "${ref}" is unknown: add ${dir ?? 'schemas'}/${ref}.avsc (or ${ref}.schema.json), ` +
          `or pass it to TopologyTestDriver as { schemas: { '${ref}': <Avro schema> } } (a JSON Schema as { format: 'json', schema })`,
      );
    }
    return file;
  };
  return formatAwareResolver((ref) => {
    const found = document(ref);
    if (found.format === 'avro') return found.schema;
    throw new Error(jsonWhereAvroNeeded(typeof ref === 'string' ? ref : 'inline', found.path));
  }, document);
}

/**
 * Whether a schema given by name carries its format (`{ format, schema }`)
 * rather than being an Avro schema itself.
 *
 * @example
 * ```ts
 * isSchemaDocument({ format: 'json', schema: { type: 'object' } }); // true
 * isSchemaDocument({ type: 'record', name: 'R', fields: [] });      // false
 * ```
 */
export function isSchemaDocument(schema: NamedSchema): schema is SchemaDocument {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return false;
  const s = schema as { readonly format?: unknown; readonly schema?: unknown; readonly type?: unknown };
  return (s.format === 'json' || s.format === 'avro') && s.schema !== undefined && s.type === undefined;
}

/**
 * The message for a JSON Schema named where only Avro will do: sources
 * read JSON, but whatever Sluice writes itself is Avro.
 *
 * @example
 * ```ts
 * jsonWhereAvroNeeded('order', 'schemas/order.schema.json');
 * // "schema 'order' is a JSON Schema (schemas/order.schema.json), and only a source reads JSON: …"
 * ```
 */
export function jsonWhereAvroNeeded(name: string, path: string | undefined): string {
  return (
    `schema '${name}' is a JSON Schema${path === undefined ? '' : ` (${path})`}, and only a source reads JSON: ` +
    'outputs, repartition topics, tables and state are Avro. Pass an Avro schema to the step that writes these records ' +
    `(a groupBy after a JSON source: .groupBy(name, field, { schema: { type: 'record', … } }); .to(topic, { schema }))`
  );
}

/**
 * The two lookups `checkSchemaFields` takes, from one resolver: Avro
 * schemas, and JSON Schemas (from the resolver's `document`). Either gives
 * `undefined` for what it does not know, instead of throwing.
 *
 * @example
 * ```ts
 * const { avro, json } = schemaLookups((await loadProjectSchemas(dir)).resolve);
 * checkSchemaFields(plan, avro, json);
 * ```
 */
export function schemaLookups(resolve: SchemaResolver): { readonly avro: SchemaLookup; readonly json: JsonSchemaLookup } {
  const quietly = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  return {
    avro: (ref) => quietly(() => resolve(ref)),
    json: (ref) => {
      const found = resolve.document === undefined ? undefined : quietly(() => resolve.document?.(ref));
      return found?.format === 'json' ? found.schema : undefined;
    },
  };
}
