import type { AvroSchema } from './avro-schema.js';
import { explainIncompatibility } from './explain-incompatibility.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import type { CompatibilityLevel, CompatibilityResult } from './schema-registry.js';

/**
 * An existing version of a subject, for {@link checkCompatibility}.
 *
 * @example
 * ```ts
 * const v1: SchemaVersion = { version: 1, schema: busTelemetryV1 };
 * ```
 */
export interface SchemaVersion {
  readonly version: number;
  readonly schema: AvroSchema;
}

/**
 * Checks a candidate schema against a subject's existing versions (oldest
 * first) under a compatibility level, locally, with avsc resolution:
 * BACKWARD = the candidate reads data written with the previous schema,
 * FORWARD = the previous schema reads data written with the candidate,
 * FULL = both; `_TRANSITIVE` checks every version, otherwise only the latest.
 *
 * @example
 * ```ts
 * checkCompatibility(v3, [{ version: 1, schema: v1 }, { version: 2, schema: v2 }], 'BACKWARD');
 * // { compatible: false, messages: ["field 'speed_kmh' changed type from double to string: ..."] }
 * ```
 */
export function checkCompatibility(
  candidate: AvroSchema,
  existing: readonly SchemaVersion[],
  level: CompatibilityLevel,
): CompatibilityResult {
  if (level === 'NONE' || existing.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const targets = transitive ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const candidateType = parseAvroSchema(candidate);
  const messages: string[] = [];
  for (const previous of targets) {
    const previousType = parseAvroSchema(previous.schema);
    const found = [
      ...(backward ? explainIncompatibility(candidateType, previousType, { reader: 'new', rule: level }) : []),
      ...(forward ? explainIncompatibility(previousType, candidateType, { reader: 'old', rule: level }) : []),
    ];
    // Transitive checks say which version broke; a latest-only check needs no prefix.
    messages.push(...(transitive && targets.length > 1 ? found.map((m) => `version ${previous.version}: ${m}`) : found));
  }
  return { compatible: messages.length === 0, messages };
}
