/**
 * Which registry implementation is on the other end.
 *
 * @example
 * ```ts
 * const name: RegistryDialectName = detectRegistryDialect('http://127.0.0.1:8081/apis/ccompat/v7'); // 'apicurio'
 * ```
 */
export type RegistryDialectName = 'confluent' | 'apicurio';

/**
 * Every behaviour in which Apicurio's Confluent-compatible API (`/apis/ccompat/v7`)
 * differs from Confluent's Schema Registry, as far as Sluice cares. The HTTP
 * client asks this object instead of testing for a registry anywhere else.
 *
 * Differences that need no code, listed so nobody adds any:
 * - ids are content ids on both (same schema → same id, even across subjects);
 *   tests must never hard-code ids;
 * - `GET /config/{subject}` on Apicurio answers `NONE` for an existing
 *   subject without its own rule, even when a global rule applies; with
 *   `?defaultToGlobal=true` (which the client always sends, and Confluent
 *   understands too) it answers the level in force (checked on 3.0.9);
 *   Sluice never compares the level to an expectation before registering,
 *   which is what breaks `@kafkajs/confluent-schema-registry` there;
 * - a 409 on Apicurio carries a Java exception text; explanations are
 *   computed locally for both registries;
 * - error bodies are `{ error_code, message }` on both, but only Confluent
 *   returns `messages` for `?verbose=true`, so explanations of
 *   incompatibilities are computed locally (see `explainIncompatibility`).
 *
 * @example
 * ```ts
 * registryDialect('apicurio').subjectConfigNeedsSubject; // true
 * ```
 */
export interface RegistryDialect {
  readonly name: RegistryDialectName;
  /**
   * `PUT /config/{subject}` may fail before the subject has a version (Apicurio
   * 3.1 stores the rule on the artifact, which does not exist yet; 3.0.9
   * accepts it). When it fails, the client defers the level and applies it
   * right after the subject's first registration in this process.
   */
  readonly subjectConfigNeedsSubject: boolean;
}

const DIALECTS: Record<RegistryDialectName, RegistryDialect> = {
  confluent: { name: 'confluent', subjectConfigNeedsSubject: false },
  apicurio: { name: 'apicurio', subjectConfigNeedsSubject: true },
};

/**
 * The dialect's behaviours.
 *
 * @example
 * ```ts
 * registryDialect('confluent').subjectConfigNeedsSubject; // false
 * ```
 */
export function registryDialect(name: RegistryDialectName): RegistryDialect {
  return DIALECTS[name];
}

/**
 * Guesses the dialect from the base URL: Apicurio serves the Confluent API
 * under `/apis/ccompat/`; anything else is taken for Confluent's registry
 * (or a compatible one, such as Redpanda or Karapace).
 *
 * @example
 * ```ts
 * detectRegistryDialect('http://registry:8081'); // 'confluent'
 * detectRegistryDialect('http://127.0.0.1:8081/apis/ccompat/v7'); // 'apicurio'
 * ```
 */
export function detectRegistryDialect(baseUrl: string): RegistryDialectName {
  return /\/apis\/ccompat\//.test(`${baseUrl}/`) ? 'apicurio' : 'confluent';
}
