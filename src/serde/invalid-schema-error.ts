/**
 * A schema is not valid Avro or JSON Schema (registry error 42201, or a
 * local parse failure). `source` names the file or subject it came from.
 *
 * @example
 * ```ts
 * await loadSchemaFile('schemas/broken.avsc');
 * // InvalidSchemaError: schemas/broken.avsc: invalid Avro schema: unknown type: strin
 * await loadSchemaFiles('schemas');
 * // InvalidSchemaError: schemas/order.schema.json: invalid JSON Schema: schema is invalid: data/type must be …
 * ```
 */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';

  constructor(readonly source: string, reason: string, format: 'avro' | 'json' = 'avro') {
    const what = format === 'json' ? 'JSON Schema' : 'Avro schema';
    super(`${source}: invalid ${what}: ${reason.startsWith(`invalid ${what}: `) ? reason.slice(what.length + 10) : reason}`);
  }
}
