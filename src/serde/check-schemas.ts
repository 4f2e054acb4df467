import { canonicalSchemaText } from './canonical-schema-text.js';
import type { DocumentRegistry } from './document-registry.js';
import type { LoadedSchemaFile } from './load-schemas.js';
import type { SchemaDocument } from './schema-document.js';
import type { CompatibilityLevel, SchemaRegistry } from './schema-registry.js';
import { subjectsOf, type SchemaSubjectOptions } from './schema-subjects.js';

/**
 * The verdict for one schema under one subject.
 * `status`: `new` (subject has no version), `unchanged` (same as latest),
 * `compatible`, or `incompatible` (then `messages` say which field, which rule).
 *
 * @example
 * ```ts
 * // { schema: 'bus-telemetry', subject: 'bus.telemetry-value', latestVersion: 2, compatibility: 'BACKWARD',
 * //   status: 'incompatible', compatible: false, messages: ["field 'speed_kmh' changed type from double to string: ..."] }
 * ```
 */
export interface SchemaCheck {
  readonly schema: string;
  readonly path: string;
  readonly subject: string;
  readonly latestVersion: number | undefined;
  readonly compatibility: CompatibilityLevel;
  readonly status: 'new' | 'unchanged' | 'compatible' | 'incompatible';
  readonly compatible: boolean;
  readonly messages: readonly string[];
}

/**
 * Result of {@link checkSchemas}; `ok` is false when any check failed
 * (`sluice schemas check` exits non-zero then).
 *
 * @example
 * ```ts
 * const report: SchemaCheckReport = { ok: true, checks: [] };
 * ```
 */
export interface SchemaCheckReport {
  readonly ok: boolean;
  readonly checks: readonly SchemaCheck[];
}

/**
 * Tests every schema against its subject's latest version under the
 * subject's compatibility level, without registering anything (the logic of
 * `sluice schemas check`, made to run in CI before a deploy). Outages reject
 * with {@link RegistryUnavailableError}.
 *
 * @example
 * ```ts
 * const report = await checkSchemas(registry, await loadSchemas(), { subjects: { 'bus-telemetry': 'bus.telemetry-value' } });
 * console.log(formatSchemaChecks(report));
 * // FAIL bus-telemetry -> bus.telemetry-value: incompatible with version 2 (BACKWARD)
 * //   - field 'speed_kmh' changed type from double to string: a reader with the new schema cannot read data written with the old one (BACKWARD)
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function checkSchemas(
  registry: SchemaRegistry & DocumentRegistry,
  schemas: readonly LoadedSchemaFile[],
  options: SchemaSubjectOptions = {},
): Promise<SchemaCheckReport> {
  const checks: SchemaCheck[] = [];
  for (const loaded of schemas) {
    for (const subject of subjectsOf(loaded, options)) {
      const document = documentOf(loaded);
      const [latest, compatibility] = await Promise.all([registry.getLatestDocument(subject), registry.getCompatibility(subject)]);
      const base = { schema: loaded.name, path: loaded.path, subject, latestVersion: latest?.version, compatibility };
      if (latest === undefined) {
        checks.push({ ...base, status: 'new', compatible: true, messages: [] });
      } else if (latest.document.format === document.format && canonicalSchemaText(latest.document.schema) === canonicalSchemaText(document.schema)) {
        checks.push({ ...base, status: 'unchanged', compatible: true, messages: [] });
      } else {
        const verdict = await registry.testDocumentCompatibility(subject, document);
        checks.push({
          ...base,
          status: verdict.compatible ? 'compatible' : 'incompatible',
          compatible: verdict.compatible,
          messages: verdict.messages,
        });
      }
    }
  }
  return { ok: checks.every((c) => c.compatible), checks };
}

/**
 * The schema of a loaded file with its format.
 *
 * @example
 * ```ts
 * documentOf(await loadJsonSchemaFile('schemas/order.schema.json')); // { format: 'json', schema: {...} }
 * ```
 */
export function documentOf(loaded: LoadedSchemaFile): SchemaDocument {
  return loaded.format === 'json' ? { format: 'json', schema: loaded.schema } : { format: 'avro', schema: loaded.schema };
}

/**
 * Human-readable lines for a {@link SchemaCheckReport}, one per check, with
 * the explanations of incompatibilities indented below.
 *
 * @example
 * ```ts
 * formatSchemaChecks(report);
 * // ok   bus-route-stats -> bus.route-stats.1m-value: new subject (BACKWARD)
 * // FAIL bus-telemetry -> bus.telemetry-value: incompatible with version 2 (BACKWARD)
 * //   - field 'speed_kmh' changed type from double to string: ...
 * ```
 */
export function formatSchemaChecks(report: SchemaCheckReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    const against = c.latestVersion === undefined ? '' : ` version ${c.latestVersion}`;
    const verdict = {
      new: 'new subject',
      unchanged: `unchanged (same as${against})`,
      compatible: `compatible with${against}`,
      incompatible: `incompatible with${against}`,
    }[c.status];
    lines.push(`${c.compatible ? 'ok  ' : 'FAIL'} ${c.schema} -> ${c.subject}: ${verdict} (${c.compatibility})`);
    for (const m of c.messages) lines.push(`  - ${m}`);
  }
  return lines.join('\n');
}
