import type { CompatibilityResult, SchemaRegistry } from './schema-registry.js';
import type { SchemaDocument } from './schema-document.js';

/**
 * The latest version under a subject, in any format.
 *
 * @example
 * ```ts
 * const latest: LatestDocument | undefined = await registry.getLatestDocument('orders-value');
 * latest?.document.format; // 'json'
 * ```
 */
export interface LatestDocument {
  readonly id: number;
  readonly version: number;
  readonly document: SchemaDocument;
}

/**
 * The format-aware side of a registry: the same calls as
 * {@link SchemaRegistry}, with schemas carrying their format (the
 * registry's `schemaType`). {@link SchemaRegistry}'s own methods stay Avro
 * and refuse a JSON schema as an invalid Avro one.
 *
 * @example
 * ```ts
 * const id = await registry.registerDocument('orders-value', { format: 'json', schema: orderSchema });
 * (await registry.getDocumentById(id)).format; // 'json'
 * ```
 */
export interface DocumentRegistry {
  /** Registers a schema of any format under a subject (idempotent) and returns its id. */
  registerDocument(subject: string, document: SchemaDocument): Promise<number>;
  /** The schema with this id and its format; throws `UnknownSchemaIdError` when there is none. */
  getDocumentById(id: number): Promise<SchemaDocument>;
  /** The latest version under a subject, or `undefined` when it has none. */
  getLatestDocument(subject: string): Promise<LatestDocument | undefined>;
  /** Whether `document` could be registered under `subject` now. */
  testDocumentCompatibility(subject: string, document: SchemaDocument): Promise<CompatibilityResult>;
}

/**
 * Whether a registry also speaks formats other than Avro (both of Sluice's
 * registries do; a hand-made {@link SchemaRegistry} may not).
 *
 * @example
 * ```ts
 * if (!isDocumentRegistry(registry)) throw new Error('this registry reads Avro only');
 * ```
 */
export function isDocumentRegistry(registry: SchemaRegistry): registry is SchemaRegistry & DocumentRegistry {
  const r = registry as Partial<DocumentRegistry>;
  return typeof r.registerDocument === 'function' && typeof r.getDocumentById === 'function' &&
    typeof r.getLatestDocument === 'function' && typeof r.testDocumentCompatibility === 'function';
}
