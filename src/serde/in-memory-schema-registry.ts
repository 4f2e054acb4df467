import type { AvroSchema } from './avro-schema.js';
import { canonicalSchemaText } from './canonical-schema-text.js';
import { checkCompatibility, type SchemaVersion } from './check-compatibility.js';
import { IncompatibleSchemaError } from './incompatible-schema-error.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import { RegistryUnavailableError } from './registry-unavailable-error.js';
import type {
  CompatibilityLevel, CompatibilityResult, LatestSchema, SchemaRegistry,
} from './schema-registry.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';

/**
 * Options of {@link InMemorySchemaRegistry}.
 *
 * @example
 * ```ts
 * new InMemorySchemaRegistry({ compatibility: 'FULL', firstId: 100 });
 * ```
 */
export interface InMemorySchemaRegistryOptions {
  /** Global compatibility level; BACKWARD by default, like Confluent's registry. */
  readonly compatibility?: CompatibilityLevel;
  /** First id handed out; ids must never be hard-coded, so tests may move it. */
  readonly firstId?: number;
}

/**
 * A Schema Registry in memory, for the TopologyTestDriver and unit tests.
 * Real Avro (avsc), compatibility levels enforced like a real registry
 * (BACKWARD by default), ids by content (same schema → same id, across
 * subjects), versions per subject from 1.
 *
 * `setAvailable(false)` simulates an outage: every call then throws
 * {@link RegistryUnavailableError}, as the HTTP client does for 5xx/timeouts.
 *
 * @example
 * ```ts
 * const registry = new InMemorySchemaRegistry();
 * const id = await registry.register('bus.telemetry-value', busTelemetryV1);
 * await registry.register('bus.telemetry-value', busTelemetryV1) === id; // true (idempotent)
 * await registry.register('bus.telemetry-value', v3WithTypeChange);
 * // IncompatibleSchemaError: field 'speed_kmh' changed type from double to string: ...
 * ```
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  private readonly idsByContent = new Map<string, number>();
  private readonly schemasById = new Map<number, AvroSchema>();
  private readonly subjects = new Map<string, { version: number; id: number; schema: AvroSchema }[]>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel;
  private nextId: number;
  private available = true;

  constructor(options: InMemorySchemaRegistryOptions = {}) {
    this.globalLevel = options.compatibility ?? 'BACKWARD';
    this.nextId = options.firstId ?? 1;
  }

  /** Simulates an outage (`false`) or its end (`true`). */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  async register(subject: string, schema: AvroSchema): Promise<number> {
    this.ensureAvailable();
    validate(subject, schema);
    const text = canonicalSchemaText(schema);
    const versions = this.subjects.get(subject) ?? [];
    const existingId = this.idsByContent.get(text);
    if (existingId !== undefined && versions.some((v) => v.id === existingId)) return existingId;
    const verdict = checkCompatibility(schema, versions, this.levelOf(subject));
    if (!verdict.compatible) throw new IncompatibleSchemaError(subject, verdict.messages);
    const id = existingId ?? this.nextId++;
    this.idsByContent.set(text, id);
    this.schemasById.set(id, schema);
    versions.push({ version: (versions.at(-1)?.version ?? 0) + 1, id, schema });
    this.subjects.set(subject, versions);
    return id;
  }

  async getSchemaById(id: number): Promise<AvroSchema> {
    this.ensureAvailable();
    const schema = this.schemasById.get(id);
    if (schema === undefined) throw new UnknownSchemaIdError(id);
    return schema;
  }

  async getLatest(subject: string): Promise<LatestSchema | undefined> {
    this.ensureAvailable();
    const latest = this.subjects.get(subject)?.at(-1);
    return latest && { id: latest.id, version: latest.version, schema: latest.schema };
  }

  /** Every version of a subject, oldest first (not part of {@link SchemaRegistry}). */
  async getVersions(subject: string): Promise<SchemaVersion[]> {
    this.ensureAvailable();
    return (this.subjects.get(subject) ?? []).map(({ version, schema }) => ({ version, schema }));
  }

  async testCompatibility(subject: string, schema: AvroSchema): Promise<CompatibilityResult> {
    this.ensureAvailable();
    validate(subject, schema);
    return checkCompatibility(schema, this.subjects.get(subject) ?? [], this.levelOf(subject));
  }

  async getCompatibility(subject?: string): Promise<CompatibilityLevel> {
    this.ensureAvailable();
    return subject === undefined ? this.globalLevel : this.levelOf(subject);
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void> {
    this.ensureAvailable();
    if (subject === undefined) this.globalLevel = level;
    else this.subjectLevels.set(subject, level);
  }

  private levelOf(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalLevel;
  }

  private ensureAvailable(): void {
    if (!this.available) throw new RegistryUnavailableError('in-memory schema registry is unavailable (simulated outage)');
  }
}

function validate(subject: string, schema: AvroSchema): void {
  try {
    parseAvroSchema(schema);
  } catch (err) {
    throw new InvalidSchemaError(`subject '${subject}'`, err instanceof Error ? err.message : String(err));
  }
}
