/**
 * A schema is not valid Avro (registry error 42201, or a local parse
 * failure). `source` names the file or subject it came from.
 *
 * @example
 * ```ts
 * await loadSchemaFile('schemas/broken.avsc');
 * // InvalidSchemaError: schemas/broken.avsc: invalid Avro schema: unknown type: strin
 * ```
 */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';

  constructor(readonly source: string, reason: string) {
    super(`${source}: invalid Avro schema: ${reason}`);
  }
}
