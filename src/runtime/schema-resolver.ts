import type { SchemaRef } from '../plan/topology-spec.js';
import type { SchemaResolver } from './codec-set.js';
import { loadSchemas, type AvroSchema } from '../serde/index.js';

/**
 * A {@link SchemaResolver} for tests: inline schemas as they are, names from
 * `schemas` first, then from the `.avsc` files of `dir` (loaded once).
 *
 * @example
 * ```ts
 * const resolve = await schemaResolver({ 'bus-telemetry': busSchema }, 'schemas');
 * resolve('bus-telemetry'); // busSchema
 * ```
 */
export async function schemaResolver(schemas: Readonly<Record<string, AvroSchema>>, dir: string | undefined): Promise<SchemaResolver> {
  const files = new Map<string, AvroSchema>();
  if (dir !== undefined) {
    try {
      for (const loaded of await loadSchemas(dir)) files.set(loaded.name, loaded.schema);
    } catch (error) {
      // A missing directory is fine when every schema is given inline; a broken file is not.
      if (!(error instanceof Error && error.message.startsWith('cannot read schema directory'))) throw error;
    }
  }
  return (ref: SchemaRef): AvroSchema => {
    if (typeof ref !== 'string') return ref;
    const schema = schemas[ref] ?? files.get(ref);
    if (schema === undefined) {
      throw new Error(`schema "${ref}" is unknown: add ${dir ?? 'schemas'}/${ref}.avsc, or pass it to TopologyTestDriver as { schemas: { '${ref}': <Avro schema> } }`);
    }
    return schema;
  };
}
