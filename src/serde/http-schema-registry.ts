import type { AvroSchema } from './avro-schema.js';
import { canonicalSchemaText } from './canonical-schema-text.js';
import { checkCompatibility } from './check-compatibility.js';
import { IncompatibleSchemaError } from './incompatible-schema-error.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import {
  detectRegistryDialect, registryDialect, type RegistryDialect, type RegistryDialectName,
} from './registry-dialect.js';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.js';
import {
  isCompatibilityLevel, type CompatibilityLevel, type CompatibilityResult, type LatestSchema, type SchemaRegistry,
} from './schema-registry.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';

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
export class HttpSchemaRegistry implements SchemaRegistry {
  readonly dialect: RegistryDialect;
  private readonly http: RegistryHttp;
  private readonly schemasById = new Map<number, AvroSchema>();
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

  async register(subject: string, schema: AvroSchema): Promise<number> {
    const key = `${subject}\u0000${canonicalSchemaText(schema)}`;
    const cached = this.registered.get(key);
    if (cached !== undefined) return cached;
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const res = await this.http.request('POST', path, { schema: JSON.stringify(schema) });
    if (res.status === 409) {
      throw new IncompatibleSchemaError(subject, await this.explain(subject, schema, res.message));
    }
    if (res.status === 422) throw new InvalidSchemaError(`subject '${subject}'`, res.message ?? 'refused by the registry');
    const id = field(res.body, 'id');
    if (res.status !== 200 || typeof id !== 'number') throw this.http.unexpected('POST', path, res);
    this.registered.set(key, id);
    this.schemasById.set(id, schema);
    const deferred = this.deferredLevels.get(subject);
    if (deferred !== undefined) {
      await this.putConfig(deferred, subject);
      this.deferredLevels.delete(subject);
    }
    return id;
  }

  async getSchemaById(id: number): Promise<AvroSchema> {
    const cached = this.schemasById.get(id);
    if (cached !== undefined) return cached;
    const path = `/schemas/ids/${id}`;
    const res = await this.http.request('GET', path);
    // 404 is 40403 on both registries; 400/422 answer ids they cannot even parse. All are the record's fault.
    if (res.status === 404 || res.status === 400 || res.status === 422) throw new UnknownSchemaIdError(id, res.message);
    const schema = this.schemaOf(res.body, `schema id ${id}`);
    if (res.status !== 200 || schema === undefined) throw this.http.unexpected('GET', path, res);
    this.schemasById.set(id, schema);
    return schema;
  }

  async getLatest(subject: string): Promise<LatestSchema | undefined> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const res = await this.http.request('GET', path);
    if (res.status === 404) return undefined; // 40401 subject or 40402 version not found
    const id = field(res.body, 'id');
    const version = field(res.body, 'version');
    const schema = this.schemaOf(res.body, `subject '${subject}'`);
    if (res.status !== 200 || typeof id !== 'number' || typeof version !== 'number' || schema === undefined) {
      throw this.http.unexpected('GET', path, res);
    }
    this.schemasById.set(id, schema);
    return { id, version, schema };
  }

  async testCompatibility(subject: string, schema: AvroSchema): Promise<CompatibilityResult> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`;
    const res = await this.http.request('POST', path, { schema: JSON.stringify(schema) });
    if (res.status === 404) return { compatible: true, messages: [] }; // nothing registered to compare with
    if (res.status === 422) throw new InvalidSchemaError(`subject '${subject}'`, res.message ?? 'refused by the registry');
    const verdict = field(res.body, 'is_compatible');
    if (res.status !== 200 || typeof verdict !== 'boolean') throw this.http.unexpected('POST', path, res);
    if (verdict) return { compatible: true, messages: [] };
    const remote = field(res.body, 'messages');
    const detail = Array.isArray(remote) ? remote.filter((m): m is string => typeof m === 'string').join('; ') : undefined;
    return { compatible: false, messages: await this.explain(subject, schema, detail) };
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

  /**
   * Readable reasons for a refusal, computed locally against the latest
   * version (registries word them differently, Apicurio barely at all);
   * falls back to the registry's own text.
   */
  private async explain(subject: string, schema: AvroSchema, remote: string | undefined): Promise<string[]> {
    const fallback = [remote ?? 'the registry refused the schema as incompatible'];
    try {
      const [latest, level] = await Promise.all([this.getLatest(subject), this.getCompatibility(subject)]);
      if (latest === undefined) return fallback;
      const local = checkCompatibility(schema, [latest], level === 'NONE' ? 'BACKWARD' : level);
      return local.messages.length > 0 ? local.messages : fallback;
    } catch {
      return fallback;
    }
  }

  private schemaOf(body: unknown, source: string): AvroSchema | undefined {
    const text = field(body, 'schema');
    if (typeof text !== 'string') return undefined;
    const schemaType = field(body, 'schemaType');
    if (schemaType !== undefined && schemaType !== 'AVRO') {
      throw new InvalidSchemaError(source, `schema type is ${String(schemaType)}, not AVRO`);
    }
    let schema: AvroSchema;
    try {
      schema = JSON.parse(text) as AvroSchema;
      parseAvroSchema(schema);
    } catch (err) {
      throw new InvalidSchemaError(source, err instanceof Error ? err.message : String(err));
    }
    return schema;
  }
}

function field(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}
