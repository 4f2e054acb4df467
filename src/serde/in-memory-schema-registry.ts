import type { AvroSchema } from './avro-schema.js';
import { canonicalSchemaText } from './canonical-schema-text.js';
import { checkCompatibility, type SchemaVersion } from './check-compatibility.js';
import { checkJsonCompatibility } from './check-json-compatibility.js';
import { compileJsonSchema } from './compile-json-schema.js';
import type { DocumentRegistry, LatestDocument } from './document-registry.js';
import { IncompatibleSchemaError } from './incompatible-schema-error.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import { RegistryUnavailableError } from './registry-unavailable-error.js';
import type {
  CompatibilityLevel, CompatibilityResult, LatestSchema, SchemaRegistry,
} from './schema-registry.js';
import { registrySchemaType, type SchemaDocument } from './schema-document.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';
import { errorText } from '../error-text.js';

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
 * Real Avro (avsc) and JSON Schema (ajv; `schemaType` stored per id, as a
 * registry does), compatibility levels enforced like a real registry
 * (BACKWARD by default), ids by content and type (same schema → same id,
 * across subjects), versions per subject from 1.
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
export class InMemorySchemaRegistry implements SchemaRegistry, DocumentRegistry {
  private readonly idsByContent = new Map<string, number>();
  private readonly documentsById = new Map<number, SchemaDocument>();
  private readonly subjects = new Map<string, { version: number; id: number; document: SchemaDocument }[]>();
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

  register(subject: string, schema: AvroSchema): Promise<number> {
    return this.registerDocument(subject, { format: 'avro', schema });
  }

  async registerDocument(subject: string, document: SchemaDocument): Promise<number> {
    this.ensureAvailable();
    validate(subject, document);
    const text = `${document.format}\u0000${canonicalSchemaText(document.schema)}`;
    const versions = this.subjects.get(subject) ?? [];
    const existingId = this.idsByContent.get(text);
    if (existingId !== undefined && versions.some((v) => v.id === existingId)) return existingId;
    const verdict = this.check(subject, document);
    if (!verdict.compatible) throw new IncompatibleSchemaError(subject, verdict.messages);
    const id = existingId ?? this.nextId++;
    this.idsByContent.set(text, id);
    this.documentsById.set(id, document);
    versions.push({ version: (versions.at(-1)?.version ?? 0) + 1, id, document });
    this.subjects.set(subject, versions);
    return id;
  }

  async getSchemaById(id: number): Promise<AvroSchema> {
    return avroOf(await this.getDocumentById(id), `schema id ${id}`);
  }

  async getDocumentById(id: number): Promise<SchemaDocument> {
    this.ensureAvailable();
    const document = this.documentsById.get(id);
    if (document === undefined) throw new UnknownSchemaIdError(id);
    return document;
  }

  async getLatest(subject: string): Promise<LatestSchema | undefined> {
    const latest = await this.getLatestDocument(subject);
    return latest && { id: latest.id, version: latest.version, schema: avroOf(latest.document, `subject '${subject}'`) };
  }

  async getLatestDocument(subject: string): Promise<LatestDocument | undefined> {
    this.ensureAvailable();
    const latest = this.subjects.get(subject)?.at(-1);
    return latest && { id: latest.id, version: latest.version, document: latest.document };
  }

  /** Every Avro version of a subject, oldest first (not part of {@link SchemaRegistry}). */
  async getVersions(subject: string): Promise<SchemaVersion[]> {
    this.ensureAvailable();
    return (this.subjects.get(subject) ?? []).flatMap(({ version, document }) => (document.format === 'avro' ? [{ version, schema: document.schema }] : []));
  }

  testCompatibility(subject: string, schema: AvroSchema): Promise<CompatibilityResult> {
    return this.testDocumentCompatibility(subject, { format: 'avro', schema });
  }

  async testDocumentCompatibility(subject: string, document: SchemaDocument): Promise<CompatibilityResult> {
    this.ensureAvailable();
    validate(subject, document);
    return this.check(subject, document);
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

  private check(subject: string, document: SchemaDocument): CompatibilityResult {
    const versions = this.subjects.get(subject) ?? [];
    const level = this.levelOf(subject);
    const latest = versions.at(-1);
    if (level !== 'NONE' && latest !== undefined && latest.document.format !== document.format) {
      // As Confluent's registry: a subject's schema type cannot change under a compatibility rule.
      const held = registrySchemaType(latest.document.format);
      return { compatible: false, messages: [`the subject holds a ${held} schema (version ${latest.version}); a ${registrySchemaType(document.format)} schema cannot follow it`] };
    }
    if (document.format === 'json') {
      const previous = versions.flatMap(({ version, document: d }) => (d.format === 'json' ? [{ version, schema: d.schema }] : []));
      return checkJsonCompatibility(document.schema, previous, level);
    }
    return checkCompatibility(document.schema, versions.flatMap(({ version, document: d }) => (d.format === 'avro' ? [{ version, schema: d.schema }] : [])), level);
  }

  private levelOf(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalLevel;
  }

  private ensureAvailable(): void {
    if (!this.available) throw new RegistryUnavailableError('in-memory schema registry is unavailable (simulated outage)');
  }
}

function avroOf(document: SchemaDocument, source: string): AvroSchema {
  if (document.format !== 'avro') throw new InvalidSchemaError(source, `schema type is ${registrySchemaType(document.format)}, not AVRO`);
  return document.schema;
}

function validate(subject: string, document: SchemaDocument): void {
  try {
    if (document.format === 'avro') parseAvroSchema(document.schema);
    else compileJsonSchema(document.schema);
  } catch (err) {
    throw new InvalidSchemaError(`subject '${subject}'`, errorText(err), document.format);
  }
}
