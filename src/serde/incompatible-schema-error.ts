/**
 * A schema was refused because it is incompatible with the subject's
 * existing versions under the subject's compatibility level (HTTP 409).
 * `messages` name the field and the rule that was broken.
 *
 * @example
 * ```ts
 * try { await registry.register('bus.telemetry-value', v3); }
 * catch (err) {
 *   if (err instanceof IncompatibleSchemaError) console.log(err.messages.join('\n'));
 *   // field 'speed_kmh' changed type from double to string: a reader with the new schema
 *   // cannot read data written with the old one (BACKWARD)
 * }
 * ```
 */
export class IncompatibleSchemaError extends Error {
  override readonly name = 'IncompatibleSchemaError';

  constructor(readonly subject: string, readonly messages: readonly string[]) {
    super(
      `schema is incompatible with subject '${subject}'` +
        (messages.length > 0 ? `:\n  - ${messages.join('\n  - ')}` : ''),
    );
  }
}
