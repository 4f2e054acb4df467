import type { AvroSchema } from './avro-schema.js';
import { canonicalSchemaText } from './canonical-schema-text.js';
import { checkCompatibility } from './check-compatibility.js';
import { checkJsonCompatibility } from './check-json-compatibility.js';
import type { DocumentRegistry, LatestDocument } from './document-registry.js';
import { IncompatibleSchemaError } from './incompatible-schema-error.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import {
  detectRegistryDialect, registryDialect, type RegistryDialect, type RegistryDialectName,
} from './registry-dialect.js';
import { RegistryHttp, type RegistryHttpOptions, type RegistryResponse } from './registry-http.js';
import { RegistryUnavailableError } from './registry-unavailable-error.js';
import {
  isCompatibilityLevel, type CompatibilityLevel, type CompatibilityResult, type LatestSchema, type SchemaRegistry,
} from './schema-registry.js';
import { registrySchemaType, type SchemaDocument } from './schema-document.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';
import { errorText } from '../error-text.js';

/**
 * Options of {@link HttpSchemaRegistry}.
 *
 * @example
 * ```ts
 * const options: HttpSchemaRegistryOptions = { url: 'http://127.0.0.1:8081/apis/ccompat/v7', timeoutMs: 5000 };
 * ```
 */
export interface HttpSchemaRegistryOptions extends RegistryHttpOptions {
  /** Base URL: `http://host:8081` (Confluent) or `http://host:8081/apis/ccompat/v7` (Apicurio). */
  readonly url: string;
  /** Detected from the URL by default. */
  readonly dialect?: RegistryDialectName;
}

/**
 * {@link SchemaRegistry} over the Confluent REST API, for Confluent's registry
 * and Apicurio's `ccompat/v7` (differences live in `registry-dialect.ts`).
 *
 * Every request has a timeout. Connection refused, timeouts, 5xx/408/429 →
 * {@link RegistryUnavailableError} (retry); 40403 → {@link UnknownSchemaIdError}
 * (DLQ); 409 → {@link IncompatibleSchemaError} with messages naming fields;
 * 422 → {@link InvalidSchemaError}; other 4xx → `RegistryRequestError`.
 * Schemas by id and registrations are cached (both are immutable).
 *
 * Written on `fetch` rather than `@kafkajs/confluent-schema-registry`: that
 * client checks the subject's level against an expectation before registering
 * (which fails on Apicurio), has no per-request timeout, and does not
 * separate outages from bad ids, all of which the runtime depends on.
 *
 * @example
 * ```ts
 * const registry = new HttpSchemaRegistry({ url: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7' });
 * const id = await registry.register('bus.telemetry-value', busTelemetry);
 * ```
 */
export class HttpSchemaRegistry implements SchemaRegistry, DocumentRegistry {
  readonly dialect: RegistryDialect;
  private readonly http: RegistryHttp;
  private readonly documentsById = new Map<number, SchemaDocument>();
  private readonly registered = new Map<string, number>();
  private readonly deferredLevels = new Map<string, CompatibilityLevel>();

  constructor(options: HttpSchemaRegistryOptions) {
    this.http = new RegistryHttp(options.url, options);
    this.dialect = registryDialect(options.dialect ?? detectRegistryDialect(options.url));
  }

  /** The base URL with credentials redacted. */
  get url(): string {
    return this.http.safeUrl;
  }

  register(subject: string, schema: AvroSchema): Promise<number> {
    return this.registerDocument(subject, { format: 'avro', schema });
  }

  async registerDocument(subject: string, document: SchemaDocument): Promise<number> {
    const key = `${subject}\u0000${document.format}\u0000${canonicalSchemaText(document.schema)}`;
    const cached = this.registered.get(key);
    if (cached !== undefined) return cached;
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const res = await this.send('POST', path, subject, document);
    if (res.status === 409) {
      throw new IncompatibleSchemaError(subject, await this.explain(subject, document, res.message));
    }
    if (res.status === 422) throw new InvalidSchemaError(`subject '${subject}'`, res.message ?? 'refused by the registry');
    const id = field(res.body, 'id');
    if (res.status !== 200 || typeof id !== 'number') throw this.http.unexpected('POST', path, res);
    this.registered.set(key, id);
    this.documentsById.set(id, document);
    const deferred = this.deferredLevels.get(subject);
    if (deferred !== undefined) {
      await this.putConfig(deferred, subject);
      this.deferredLevels.delete(subject);
    }
    return id;
  }

  async getSchemaById(id: number): Promise<AvroSchema> {
    return avroOf(await this.getDocumentById(id), `schema id ${id}`);
  }

  async getDocumentById(id: number): Promise<SchemaDocument> {
    const cached = this.documentsById.get(id);
    if (cached !== undefined) return cached;
    const path = `/schemas/ids/${id}`;
    const res = await this.http.request('GET', path);
    // 404 is 40403 on both registries; 400/422 answer ids they cannot even parse. All are the record's fault.
    if (res.status === 404 || res.status === 400 || res.status === 422) throw new UnknownSchemaIdError(id, res.message);
    const document = this.documentOf(res.body, `schema id ${id}`);
    if (res.status !== 200 || document === undefined) throw this.http.unexpected('GET', path, res);
    this.documentsById.set(id, document);
    return document;
  }

  async getLatest(subject: string): Promise<LatestSchema | undefined> {
    const latest = await this.getLatestDocument(subject);
    return latest && { id: latest.id, version: latest.version, schema: avroOf(latest.document, `subject '${subject}'`) };
  }

  async getLatestDocument(subject: string): Promise<LatestDocument | undefined> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const res = await this.http.request('GET', path);
    if (res.status === 404) return undefined; // 40401 subject or 40402 version not found
    const id = field(res.body, 'id');
    const version = field(res.body, 'version');
    const document = this.documentOf(res.body, `subject '${subject}'`);
    if (res.status !== 200 || typeof id !== 'number' || typeof version !== 'number' || document === undefined) {
      throw this.http.unexpected('GET', path, res);
    }
    this.documentsById.set(id, document);
    return { id, version, document };
  }

  testCompatibility(subject: string, schema: AvroSchema): Promise<CompatibilityResult> {
    return this.testDocumentCompatibility(subject, { format: 'avro', schema });
  }

  async testDocumentCompatibility(subject: string, document: SchemaDocument): Promise<CompatibilityResult> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`;
    const res = await this.send('POST', path, subject, document);
    if (res.status === 404) return { compatible: true, messages: [] }; // nothing registered to compare with
    if (res.status === 422) throw new InvalidSchemaError(`subject '${subject}'`, res.message ?? 'refused by the registry');
    const verdict = field(res.body, 'is_compatible');
    if (res.status !== 200 || typeof verdict !== 'boolean') throw this.http.unexpected('POST', path, res);
    if (verdict) return { compatible: true, messages: [] };
    const remote = field(res.body, 'messages');
    const detail = Array.isArray(remote) ? remote.filter((m): m is string => typeof m === 'string').join('; ') : undefined;
    return { compatible: false, messages: await this.explain(subject, document, detail) };
  }

  async getCompatibility(subject?: string): Promise<CompatibilityLevel> {
    if (subject !== undefined) {
      const deferred = this.deferredLevels.get(subject);
      if (deferred !== undefined) return deferred;
      const path = `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`;
      const res = await this.http.request('GET', path);
      // 40401/40408: no subject-level setting; the global level applies.
      if (res.status !== 404) return this.levelOf(res, 'GET', path);
    }
    const res = await this.http.request('GET', '/config');
    return this.levelOf(res, 'GET', '/config');
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;
    const res = await this.http.request('PUT', path, { compatibility: level });
    if (res.status === 200 || res.status === 204) return;
    if (
      subject !== undefined && res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 &&
      this.dialect.subjectConfigNeedsSubject && (await this.getLatest(subject)) === undefined
    ) {
      this.deferredLevels.set(subject, level);
      return;
    }
    throw this.http.unexpected('PUT', path, res);
  }

  private async putConfig(level: CompatibilityLevel, subject: string): Promise<void> {
    const path = `/config/${encodeURIComponent(subject)}`;
    const res = await this.http.request('PUT', path, { compatibility: level });
    if (res.status !== 200 && res.status !== 204) throw this.http.unexpected('PUT', path, res);
  }

  private levelOf(res: { status: number; body: unknown }, method: string, path: string): CompatibilityLevel {
    // GET answers `compatibilityLevel`; some versions echo the PUT shape `compatibility`.
    const level = field(res.body, 'compatibilityLevel') ?? field(res.body, 'compatibility');
    if (res.status !== 200 || !isCompatibilityLevel(level)) {
      throw this.http.unexpected(method, path, { ...res, errorCode: undefined, message: undefined });
    }
    return level;
  }

  /** Posts a schema with its `schemaType` (Avro without one: every registry's default). */
  private async send(method: 'POST', path: string, subject: string, document: SchemaDocument): Promise<RegistryResponse> {
    const body = document.format === 'avro'
      ? { schema: JSON.stringify(document.schema) }
      : { schemaType: registrySchemaType(document.format), schema: JSON.stringify(document.schema) };
    try {
      return await this.http.request(method, path, body);
    } catch (err) {
      // Apicurio 3.0 answers 500 "could not determine version" to a compatibility check of a
      // JSON Schema draft its checker does not know (2019-09, 2020-12): no retry will change that.
      if (document.format === 'json' && err instanceof RegistryUnavailableError && /could not determine version/.test(err.message)) {
        throw new InvalidSchemaError(
          `subject '${subject}'`,
          `the registry cannot check the compatibility of this JSON Schema draft (${String(document.schema.$schema)}); ` +
            'Apicurio checks draft-07 schemas only: use "$schema": "http://json-schema.org/draft-07/schema#"',
          'json',
        );
      }
      throw err;
    }
  }

  /**
   * Readable reasons for a refusal, computed locally against the latest
   * version (registries word them differently, Apicurio barely at all);
   * falls back to the registry's own text.
   */
  private async explain(subject: string, document: SchemaDocument, remote: string | undefined): Promise<string[]> {
    // Apicurio prefixes a Java exception's class name; the rest names the diff and its path.
    const fallback = [remote?.replace(/^[\w.$]+Exception: /, '') ?? 'the registry refused the schema as incompatible'];
    try {
      const [latest, level] = await Promise.all([this.getLatestDocument(subject), this.getCompatibility(subject)]);
      if (latest === undefined) return fallback;
      const rule = level === 'NONE' ? 'BACKWARD' : level;
      const previous = latest.document;
      if (previous.format !== document.format) {
        return [`the subject holds ${previous.format === 'json' ? 'a JSON Schema' : 'an Avro schema'} (version ${latest.version}); a schema of another type cannot follow it`];
      }
      const local = document.format === 'json' && previous.format === 'json'
        ? checkJsonCompatibility(document.schema, [{ version: latest.version, schema: previous.schema }], rule)
        : document.format === 'avro' && previous.format === 'avro'
          ? checkCompatibility(document.schema, [{ version: latest.version, schema: previous.schema }], rule)
          : undefined;
      return local !== undefined && local.messages.length > 0 ? local.messages : fallback;
    } catch {
      return fallback;
    }
  }

  private documentOf(body: unknown, source: string): SchemaDocument | undefined {
    const text = field(body, 'schema');
    if (typeof text !== 'string') return undefined;
    const schemaType = field(body, 'schemaType');
    if (schemaType !== undefined && schemaType !== 'AVRO' && schemaType !== 'JSON') {
      throw new InvalidSchemaError(source, `schema type is ${String(schemaType)}, not AVRO or JSON`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
      if (schemaType !== 'JSON') parseAvroSchema(parsed as AvroSchema);
    } catch (err) {
      throw new InvalidSchemaError(source, errorText(err));
    }
    if (schemaType !== 'JSON') return { format: 'avro', schema: parsed as AvroSchema };
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidSchemaError(source, 'a JSON Schema must be an object', 'json');
    }
    return { format: 'json', schema: parsed as Record<string, unknown> };
  }
}

function avroOf(document: SchemaDocument, source: string): AvroSchema {
  if (document.format !== 'avro') throw new InvalidSchemaError(source, `schema type is ${registrySchemaType(document.format)}, not AVRO`);
  return document.schema;
}

function field(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}
