import { IDENTIFIER_PATTERN } from '../column-names.js';

/** A table name split into its optional schema and its table. */
export interface QualifiedName {
  readonly schema: string | undefined;
  readonly name: string;
}

/**
 * Thrown when a table or column name fails {@link IDENTIFIER_PATTERN}.
 *
 * @example
 * ```ts
 * try { assertIdentifier('Route', 'column'); } catch (e) { e instanceof InvalidIdentifierError; } // true
 * ```
 */
export class InvalidIdentifierError extends Error {
  override readonly name = 'InvalidIdentifierError';
  constructor(
    readonly identifier: string,
    readonly role: string,
  ) {
    super(
      `invalid ${role} ${JSON.stringify(identifier)}: SQL identifiers must match ${IDENTIFIER_PATTERN.source} ` +
        `(lower-case letters, digits and "_", not starting with a digit, at most 63 characters)`,
    );
  }
}

/**
 * Returns `identifier` if it matches {@link IDENTIFIER_PATTERN}, else throws
 * {@link InvalidIdentifierError} naming it and the rule.
 *
 * @example
 * ```ts
 * assertIdentifier('route_id', 'column');             // 'route_id'
 * assertIdentifier('id"; DROP TABLE x; --', 'column'); // throws InvalidIdentifierError
 * ```
 */
export function assertIdentifier(identifier: unknown, role = 'identifier'): string {
  if (typeof identifier !== 'string' || !IDENTIFIER_PATTERN.test(identifier)) {
    throw new InvalidIdentifierError(String(identifier), role);
  }
  return identifier;
}

/**
 * Validates `table` or `schema.table`.
 *
 * @example
 * ```ts
 * parseQualifiedName('analytics.bus_route_minute'); // { schema: 'analytics', name: 'bus_route_minute' }
 * parseQualifiedName('bus_route_minute');           // { schema: undefined, name: 'bus_route_minute' }
 * ```
 */
export function parseQualifiedName(qualified: unknown, role = 'table'): QualifiedName {
  if (typeof qualified !== 'string') throw new InvalidIdentifierError(String(qualified), role);
  const parts = qualified.split('.');
  if (parts.length === 1) return { schema: undefined, name: assertIdentifier(parts[0], role) };
  if (parts.length === 2) {
    return { schema: assertIdentifier(parts[0], `${role} schema`), name: assertIdentifier(parts[1], role) };
  }
  throw new InvalidIdentifierError(qualified, role);
}

/**
 * Double-quotes an already validated identifier. Validation comes first so a
 * quote can never reach this point; the doubling is belt and braces.
 *
 * @example
 * ```ts
 * quoteIdentifier('window_start'); // '"window_start"'
 * ```
 */
export function quoteIdentifier(identifier: string): string {
  return `"${assertIdentifier(identifier).replaceAll('"', '""')}"`;
}
