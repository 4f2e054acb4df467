/**
 * The registry does not know a schema id (Confluent error code 40403).
 *
 * A record carrying such an id is a bad record: it goes to the dead-letter
 * topic. It is never a reason to retry.
 *
 * @example
 * ```ts
 * try { await registry.getSchemaById(999); }
 * catch (err) { if (err instanceof UnknownSchemaIdError) console.log(err.schemaId); } // 999
 * ```
 */
export class UnknownSchemaIdError extends Error {
  override readonly name = 'UnknownSchemaIdError';
  readonly code = 40403;

  constructor(readonly schemaId: number, detail?: string) {
    super(`schema id ${schemaId} is not known to the schema registry${detail ? ` (${detail})` : ''}`);
  }
}
