import type { LoadedSchemaFile } from './load-schemas.js';
import { subjectFor } from './subject-for.js';

/**
 * Which registry subjects a schema file is checked or registered under.
 *
 * @example
 * ```ts
 * const options: SchemaSubjectOptions = { subjects: { 'bus-telemetry': 'bus.telemetry-value' } };
 * ```
 */
export interface SchemaSubjectOptions {
  /**
   * Subjects per schema name (the `.avsc` file name), typically derived by the
   * CLI from the topologies' topics with {@link subjectFor}. A schema used by
   * two topics lists both.
   */
  readonly subjects?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Schemas absent from `subjects`: `record` uses the RecordNameStrategy
   * subject (the record's full name), `skip` leaves them out. Default `record`.
   */
  readonly unmapped?: 'record' | 'skip';
}

/**
 * The subjects of one schema under {@link SchemaSubjectOptions}.
 *
 * @example
 * ```ts
 * subjectsOf(busTelemetry, { subjects: { 'bus-telemetry': ['bus.telemetry-value'] } }); // ['bus.telemetry-value']
 * subjectsOf(busTelemetry, {});                                                       // ['sluice.bus.BusTelemetry']
 * ```
 */
export function subjectsOf(schema: LoadedSchemaFile, options: SchemaSubjectOptions): readonly string[] {
  const mapped = options.subjects?.[schema.name];
  if (mapped !== undefined) return typeof mapped === 'string' ? [mapped] : mapped;
  if (options.unmapped === 'skip') return [];
  if (schema.fullName === undefined) {
    throw new Error(`${schema.path}: no subject given for schema '${schema.name}', and it has no record name to derive one from`);
  }
  return [subjectFor(schema.name, 'value', 'record', schema.fullName)];
}
