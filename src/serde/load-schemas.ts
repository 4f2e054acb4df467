import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import { compileJsonSchema } from './compile-json-schema.js';
import { schemaFileFormat, schemaFileName, type JsonSchema } from './schema-document.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import { errorText } from '../error-text.js';

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
  /** Avro (a {@link LoadedJsonSchema} says `json`). */
  readonly format?: 'avro';
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
    throw new InvalidSchemaError(path, `cannot read the file: ${errorText(err)}`);
  }
  let schema: AvroSchema;
  try {
    schema = JSON.parse(text) as AvroSchema;
  } catch (err) {
    throw new InvalidSchemaError(path, `not valid JSON: ${errorText(err)}`);
  }
  let type: avro.Type;
  try {
    type = parseAvroSchema(schema, { strict: true });
  } catch (err) {
    throw new InvalidSchemaError(path, errorText(err));
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
    throw new Error(`cannot read schema directory '${dir}': ${errorText(err)}`);
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

/**
 * A JSON Schema read from `schemas/<name>.schema.json` (or a `.json` file
 * with `$schema`) and compiled once to prove it valid.
 *
 * @example
 * ```ts
 * const s: LoadedJsonSchema = { format: 'json', name: 'order', path: 'schemas/order.schema.json', schema, fullName: 'Order' };
 * ```
 */
export interface LoadedJsonSchema {
  readonly format: 'json';
  /** File name without `.schema.json` / `.json`; topologies name schemas by it. */
  readonly name: string;
  readonly path: string;
  readonly schema: JsonSchema;
  /** The schema's `title`: its RecordNameStrategy subject, as Confluent's serializers take it. */
  readonly fullName: string | undefined;
}

/**
 * Any schema file of a project: Avro or JSON Schema.
 *
 * @example
 * ```ts
 * const files: LoadedSchemaFile[] = await loadSchemaFiles('schemas');
 * files.filter((f) => f.format === 'json').map((f) => f.name); // ['order']
 * ```
 */
export type LoadedSchemaFile = LoadedSchema | LoadedJsonSchema;

/**
 * Loads every schema file of a directory, sorted by name: `.avsc` files as
 * {@link loadSchemas} does, `.schema.json` files and `.json` files with a
 * `$schema` as JSON Schemas. Other `.json` files are not schemas and are
 * skipped. Two files giving one name (`order.avsc`, `order.schema.json`)
 * are refused: a topology could not say which it means.
 *
 * @example
 * ```ts
 * (await loadSchemaFiles('schemas')).map((s) => `${s.name}:${s.format ?? 'avro'}`); // ['bus-telemetry:avro', 'order:json']
 * await loadSchemaFiles('bad');
 * // InvalidSchemaError: bad/order.schema.json: invalid JSON Schema: schema is invalid: data/type must be …
 * ```
 */
export async function loadSchemaFiles(dir = 'schemas'): Promise<LoadedSchemaFile[]> {
  const avro: LoadedSchemaFile[] = await loadSchemas(dir);
  const candidates = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const json: LoadedJsonSchema[] = [];
  for (const file of candidates) {
    const loaded = await loadJsonSchemaFile(join(dir, file));
    if (loaded !== undefined) json.push(loaded);
  }
  const all = [...avro, ...json].sort((a, b) => a.name.localeCompare(b.name));
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1], all[i]];
    if (a && b && a.name === b.name) throw new InvalidSchemaError(b.path, `schema name '${b.name}' is also ${a.path}; rename one`);
  }
  return all;
}

/**
 * Reads and compiles one JSON Schema file; `undefined` for a `.json` file
 * that is not a schema (no `$schema`, not named `.schema.json`).
 *
 * @example
 * ```ts
 * (await loadJsonSchemaFile('schemas/order.schema.json'))?.name; // 'order'
 * ```
 */
export async function loadJsonSchemaFile(path: string): Promise<LoadedJsonSchema | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (!path.endsWith('.schema.json')) return undefined;
    throw new InvalidSchemaError(path, `not valid JSON: ${errorText(err)}`, 'json');
  }
  if (schemaFileFormat(path, parsed) !== 'json') return undefined;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidSchemaError(path, 'a JSON Schema file must hold an object', 'json');
  }
  const schema = parsed as JsonSchema;
  try {
    compileJsonSchema(schema);
  } catch (err) {
    throw new InvalidSchemaError(path, errorText(err), 'json');
  }
  return { format: 'json', name: schemaFileName(path), path, schema, fullName: typeof schema.title === 'string' ? schema.title : undefined };
}
