import type { AvroSchema } from './avro-schema.js';

/**
 * Compatibility levels of a Confluent-compatible Schema Registry.
 *
 * @example
 * ```ts
 * const level: CompatibilityLevel = 'BACKWARD_TRANSITIVE';
 * ```
 */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/**
 * Every compatibility level, for validating user input.
 *
 * @example
 * ```ts
 * COMPATIBILITY_LEVELS.includes('FULL'); // true
 * ```
 */
export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

/**
 * Narrows a string to a {@link CompatibilityLevel}.
 *
 * @example
 * ```ts
 * isCompatibilityLevel('BACKWARD'); // true
 * isCompatibilityLevel('backward'); // false
 * ```
 */
export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/**
 * The latest version registered under a subject.
 *
 * @example
 * ```ts
 * const latest: LatestSchema | undefined = await registry.getLatest('bus.telemetry-value');
 * ```
 */
export interface LatestSchema {
  readonly id: number;
  readonly version: number;
  readonly schema: AvroSchema;
}

/**
 * Result of a compatibility test; `messages` explain incompatibilities.
 *
 * @example
 * ```ts
 * const { compatible, messages } = await registry.testCompatibility(subject, v3);
 * ```
 */
export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly messages: string[];
}

/**
 * What Sluice needs from a Confluent-compatible Schema Registry.
 * Implemented by {@link InMemorySchemaRegistry} (tests) and
 * {@link HttpSchemaRegistry} (Confluent, Apicurio ccompat v7).
 *
 * Errors: {@link UnknownSchemaIdError} for an unknown id,
 * {@link RegistryUnavailableError} for outages (retry),
 * {@link IncompatibleSchemaError} when `register` is refused.
 *
 * @example
 * ```ts
 * const id = await registry.register('bus.telemetry-value', schema); // same schema → same id
 * const schemaAgain = await registry.getSchemaById(id);
 * ```
 */
export interface SchemaRegistry {
  /** Registers a schema under a subject (idempotent) and returns its id. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  /** The schema with this id; throws {@link UnknownSchemaIdError} when there is none. */
  getSchemaById(id: number): Promise<AvroSchema>;
  /** The latest version under a subject, or `undefined` when the subject has none. */
  getLatest(subject: string): Promise<LatestSchema | undefined>;
  /** Whether `schema` could be registered under `subject` now. */
  testCompatibility(subject: string, schema: AvroSchema): Promise<CompatibilityResult>;
  /** The subject's level, else the global level. */
  getCompatibility(subject?: string): Promise<CompatibilityLevel>;
  /** Sets the subject's level, or the global level without a subject. */
  setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void>;
}
