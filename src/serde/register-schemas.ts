import { IncompatibleSchemaError } from './incompatible-schema-error.js';
import { documentOf } from './check-schemas.js';
import type { DocumentRegistry } from './document-registry.js';
import type { LoadedSchemaFile } from './load-schemas.js';
import type { CompatibilityLevel, SchemaRegistry } from './schema-registry.js';
import { subjectsOf, type SchemaSubjectOptions } from './schema-subjects.js';

/**
 * Options of {@link registerSchemas}.
 *
 * @example
 * ```ts
 * const options: RegisterSchemasOptions = { subjects: { 'bus-telemetry': 'bus.telemetry-value' }, compatibility: 'FULL' };
 * ```
 */
export interface RegisterSchemasOptions extends SchemaSubjectOptions {
  /** Compatibility level to set on each subject (left alone when absent). */
  readonly compatibility?: CompatibilityLevel;
}

/**
 * What happened to one schema under one subject.
 *
 * @example
 * ```ts
 * // { schema: 'bus-telemetry', subject: 'bus.telemetry-value', status: 'created', id: 3, version: 2, messages: [] }
 * ```
 */
export interface SchemaRegistration {
  readonly schema: string;
  readonly subject: string;
  readonly status: 'created' | 'unchanged' | 'refused';
  readonly id: number | undefined;
  readonly version: number | undefined;
  readonly messages: readonly string[];
}

/**
 * Result of {@link registerSchemas}; `ok` is false when a subject refused a schema.
 *
 * @example
 * ```ts
 * const report: SchemaRegistrationReport = { ok: true, registrations: [] };
 * ```
 */
export interface SchemaRegistrationReport {
  readonly ok: boolean;
  readonly registrations: readonly SchemaRegistration[];
}

/**
 * Registers every schema under its subjects (the logic of
 * `sluice schemas register`). Idempotent: a schema already registered under
 * the subject is `unchanged`. With `compatibility`, the level is set before
 * registering when the subject exists (so it governs this registration) and
 * right after otherwise (Apicurio cannot configure a subject that does not
 * exist). A refusal is reported, not thrown, so every subject gets an answer;
 * outages reject with {@link RegistryUnavailableError}.
 *
 * @example
 * ```ts
 * const report = await registerSchemas(registry, await loadSchemas(), { subjects, compatibility: 'BACKWARD' });
 * console.log(formatSchemaRegistrations(report));
 * // created   bus-telemetry -> bus.telemetry-value: id 3, version 2
 * // unchanged bus-route-stats -> bus.route-stats.1m-value: id 1, version 1
 * ```
 */
export async function registerSchemas(
  registry: SchemaRegistry & DocumentRegistry,
  schemas: readonly LoadedSchemaFile[],
  options: RegisterSchemasOptions = {},
): Promise<SchemaRegistrationReport> {
  const registrations: SchemaRegistration[] = [];
  for (const loaded of schemas) {
    for (const subject of subjectsOf(loaded, options)) {
      const before = await registry.getLatestDocument(subject);
      if (options.compatibility !== undefined && before !== undefined) {
        await registry.setCompatibility(options.compatibility, subject);
      }
      let id: number;
      try {
        id = await registry.registerDocument(subject, documentOf(loaded));
      } catch (err) {
        if (!(err instanceof IncompatibleSchemaError)) throw err;
        registrations.push({ schema: loaded.name, subject, status: 'refused', id: undefined, version: before?.version, messages: err.messages });
        continue;
      }
      if (options.compatibility !== undefined && before === undefined) {
        await registry.setCompatibility(options.compatibility, subject);
      }
      // No new version means the schema was already there (latest or older).
      const after = await registry.getLatestDocument(subject);
      const unchanged = before !== undefined && after?.version === before.version;
      registrations.push({
        schema: loaded.name, subject, status: unchanged ? 'unchanged' : 'created', id, version: after?.version, messages: [],
      });
    }
  }
  return { ok: registrations.every((r) => r.status !== 'refused'), registrations };
}

/**
 * Human-readable lines for a {@link SchemaRegistrationReport}.
 *
 * @example
 * ```ts
 * formatSchemaRegistrations(report);
 * // created   bus-telemetry -> bus.telemetry-value: id 3, version 2
 * // refused   bus-telemetry -> bus.telemetry-value
 * //   - field 'speed_kmh' changed type from double to string: ...
 * ```
 */
export function formatSchemaRegistrations(report: SchemaRegistrationReport): string {
  const lines: string[] = [];
  for (const r of report.registrations) {
    const where = `${r.status.padEnd(9)} ${r.schema} -> ${r.subject}`;
    lines.push(r.status === 'refused' ? where : `${where}: id ${r.id}, version ${r.version ?? '?'}`);
    for (const m of r.messages) lines.push(`  - ${m}`);
  }
  return lines.join('\n');
}
