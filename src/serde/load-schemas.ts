import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';

/**
 * A schema read from an `.avsc` file and validated.
 *
 * @example
 * ```ts
 * const s: LoadedSchema = await loadSchemaFile('schemas/bus-telemetry.avsc');
 * s.name;     // 'bus-telemetry' (the file name: what topologies refer to)
 * s.fullName; // 'sluice.bus.BusTelemetry' (the record's qualified name)
 * ```
 */
export interface LoadedSchema {
  /** File name without `.avsc`; topologies name schemas by it. */
  readonly name: string;
  readonly path: string;
  readonly schema: AvroSchema;
  /** Fully qualified name of the top-level named type, if it has one. */
  readonly fullName: string | undefined;
  readonly type: avro.Type;
}

/**
 * Reads, parses and validates one `.avsc` file. Every failure (unreadable
 * file, bad JSON, invalid Avro, an invalid logical type such as a decimal
 * without precision) is an {@link InvalidSchemaError} naming the file.
 *
 * @example
 * ```ts
 * await loadSchemaFile('schemas/bus-telemetry.avsc');
 * // → { name: 'bus-telemetry', fullName: 'sluice.bus.BusTelemetry', schema: {...}, ... }
 * await loadSchemaFile('schemas/broken.avsc');
 * // InvalidSchemaError: schemas/broken.avsc: invalid Avro schema: undefined type name: strng
 * ```
 */
export async function loadSchemaFile(path: string): Promise<LoadedSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidSchemaError(path, `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
  let schema: AvroSchema;
  try {
    schema = JSON.parse(text) as AvroSchema;
  } catch (err) {
    throw new InvalidSchemaError(path, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  let type: avro.Type;
  try {
    type = parseAvroSchema(schema, { strict: true });
  } catch (err) {
    throw new InvalidSchemaError(path, err instanceof Error ? err.message : String(err));
  }
  return { name: basename(path, '.avsc'), path, schema, fullName: type.name, type };
}

/**
 * Loads every `.avsc` file of a directory (not recursive), sorted by name.
 * Each file is self-contained (named types are not shared across files).
 * Two files defining the same record name are refused: they would compete
 * for one RecordNameStrategy subject and one generated type.
 *
 * @example
 * ```ts
 * const schemas = await loadSchemas();          // reads ./schemas
 * schemas.map((s) => s.name);                   // ['bus-route-stats', 'bus-telemetry']
 * ```
 */
export async function loadSchemas(dir = 'schemas'): Promise<LoadedSchema[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.avsc')).sort();
  } catch (err) {
    throw new Error(`cannot read schema directory '${dir}': ${err instanceof Error ? err.message : String(err)}`);
  }
  const loaded = await Promise.all(files.map((f) => loadSchemaFile(join(dir, f))));
  const byFullName = new Map<string, string>();
  for (const s of loaded) {
    if (s.fullName === undefined) continue;
    const other = byFullName.get(s.fullName);
    if (other !== undefined) throw new InvalidSchemaError(s.path, `defines ${s.fullName}, already defined in ${other}`);
    byFullName.set(s.fullName, s.path);
  }
  return loaded;
}
