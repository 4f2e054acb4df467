/**
 * Avro and JSON Schema serdes in the Confluent wire format, Schema Registry clients, and the
 * logic behind `sluice schemas check | register | codegen`.
 *
 * @example
 * ```ts
 * import { AvroCodec, InMemorySchemaRegistry } from './serde/index.js';
 * const codec = new AvroCodec<BusTelemetry>({ registry: new InMemorySchemaRegistry(), subject: 'bus.telemetry-value', readerSchema });
 * ```
 * @module
 */

// Schemas
export type {
  AvroArraySchema, AvroEnumSchema, AvroField, AvroFixedSchema, AvroMapSchema, AvroPrimitiveName,
  AvroPrimitiveSchema, AvroRecordSchema, AvroSchema, AvroSchemaObject,
} from './avro-schema.js';
export { canonicalSchemaText } from './canonical-schema-text.js';
export {
  registrySchemaType, schemaFileFormat, schemaFileName, type JsonSchema, type SchemaDocument,
} from './schema-document.js';
export { DecimalType } from './decimal-type.js';
export {
  loadJsonSchemaFile, loadSchemaFile, loadSchemaFiles, loadSchemas,
  type LoadedJsonSchema, type LoadedSchema, type LoadedSchemaFile,
} from './load-schemas.js';
export { parseAvroSchema } from './parse-avro-schema.js';
export { subjectFor, type SubjectNameStrategy } from './subject-for.js';

// Registries
export { isDocumentRegistry, type DocumentRegistry, type LatestDocument } from './document-registry.js';
export { HttpSchemaRegistry, type HttpSchemaRegistryOptions } from './http-schema-registry.js';
export { InMemorySchemaRegistry, type InMemorySchemaRegistryOptions } from './in-memory-schema-registry.js';
export { redactUrl } from './redact-url.js';
export {
  detectRegistryDialect, registryDialect, type RegistryDialect, type RegistryDialectName,
} from './registry-dialect.js';
export {
  RegistryHttp, RegistryRequestError, type RegistryHttpOptions, type RegistryResponse,
} from './registry-http.js';
export {
  COMPATIBILITY_LEVELS, isCompatibilityLevel,
  type CompatibilityLevel, type CompatibilityResult, type LatestSchema, type SchemaRegistry,
} from './schema-registry.js';

// Errors
export { IncompatibleSchemaError } from './incompatible-schema-error.js';
export { InvalidSchemaError } from './invalid-schema-error.js';
export { RegistryUnavailableError } from './registry-unavailable-error.js';
export { UnknownSchemaIdError } from './unknown-schema-id-error.js';

// Codec
export type { Codec, SchemaFormat } from './codec.js';
export { AvroCodec, type AvroCodecOptions } from './avro-codec.js';
export { JsonSchemaCodec, type JsonSchemaCodecOptions } from './json-schema-codec.js';
export { compileJsonSchema, type JsonSchemaCheck } from './compile-json-schema.js';
export { AvroPayloadGuard, type GuardFailure } from './avro-payload-guard.js';
export { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode-limits.js';
export type { DecodeFailureReason, DecodeResult } from './decode-result.js';
export { readWireSchemaId, WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE, writeWireHeader } from './wire-format.js';
export {
  MAX_UNKNOWN_IDS, UNKNOWN_ID_RETRY_MS, WriterSchemaCache, type WriterSchemaEntry,
} from './writer-schema-cache.js';

// Compatibility and schema tooling (CLI logic)
export { checkCompatibility, type SchemaVersion } from './check-compatibility.js';
export { checkJsonCompatibility, type JsonSchemaVersion } from './check-json-compatibility.js';
export { checkSchemas, documentOf, formatSchemaChecks, type SchemaCheck, type SchemaCheckReport } from './check-schemas.js';
export { explainIncompatibility, resolutionFailure, typeLabel, type ResolutionRole } from './explain-incompatibility.js';
export { generateTypes, type TypeSource } from './generate-types.js';
export { jsonSchemaDeclarations, type JsonTypeSource } from './generate-json-types.js';
export {
  formatSchemaRegistrations, registerSchemas,
  type RegisterSchemasOptions, type SchemaRegistration, type SchemaRegistrationReport,
} from './register-schemas.js';
export { subjectsOf, type SchemaSubjectOptions } from './schema-subjects.js';
