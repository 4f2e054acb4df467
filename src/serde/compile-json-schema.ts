import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema } from './schema-document.js';
import { errorText } from '../error-text.js';

/**
 * Checks a value against a compiled JSON Schema: `undefined` when it is
 * valid, else a message naming the failing path (`items[2].sku: must be string`).
 *
 * @example
 * ```ts
 * const check: JsonSchemaCheck = compileJsonSchema({ type: 'object', required: ['id'] });
 * check({});          // "id: must have required property 'id'"
 * check({ id: 'a' }); // undefined
 * ```
 */
export type JsonSchemaCheck = (value: unknown) => string | undefined;

// No ajv-formats in the dependencies: the formats events use most, checked by
// shape (as ajv-formats' "fast" mode does); other formats are accepted as they are.
const FORMATS: Options['formats'] = {
  'date-time': /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/,
  date: /^\d{4}-\d\d-\d\d$/,
  time: /^\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)?$/,
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
};

const OPTIONS: Options = { strict: false, allErrors: false, formats: FORMATS, validateFormats: true };

/**
 * Compiles a JSON Schema with the draft its `$schema` names: draft-07 (also
 * when there is none), 2019-09 or 2020-12. Throws an Error saying why for a
 * schema that is not valid JSON Schema or names another draft.
 *
 * @example
 * ```ts
 * const check = compileJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object',
 *   properties: { amount: { type: 'number' } } });
 * check({ amount: 'ten' }); // 'amount: must be number'
 * ```
 */
export function compileJsonSchema(schema: JsonSchema): JsonSchemaCheck {
  // A fresh instance per schema: two versions of one `$id` must not collide in a shared one.
  const ajv = ajvFor(schema.$schema);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    throw new Error(`invalid JSON Schema: ${errorText(err)}`);
  }
  return (value) => (validate(value) ? undefined : describeError(validate.errors?.[0]));
}

function ajvFor(draft: unknown): Ajv {
  if (draft === undefined) return new Ajv(OPTIONS);
  const text = typeof draft === 'string' ? draft.replace(/#$/, '') : '';
  if (/^https?:\/\/json-schema\.org\/draft-07\/schema$/.test(text)) return new Ajv(OPTIONS);
  if (/^https?:\/\/json-schema\.org\/draft\/2019-09\/schema$/.test(text)) return new Ajv2019(OPTIONS);
  if (/^https?:\/\/json-schema\.org\/draft\/2020-12\/schema$/.test(text)) return new Ajv2020(OPTIONS);
  throw new Error(
    `invalid JSON Schema: $schema ${JSON.stringify(draft)} is not a supported draft ` +
      '(http://json-schema.org/draft-07/schema#, https://json-schema.org/draft/2019-09/schema or https://json-schema.org/draft/2020-12/schema)',
  );
}

function describeError(error: ErrorObject | undefined): string {
  if (error === undefined) return 'does not match the schema';
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map(unescapePointer);
  const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown; allowedValues?: unknown };
  const named = params.missingProperty ?? params.additionalProperty;
  if (typeof named === 'string') segments.push(named);
  let path = '';
  for (const s of segments) path += /^\d+$/.test(s) ? `[${s}]` : path === '' ? s : `.${s}`;
  const allowed = Array.isArray(params.allowedValues) ? ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : '';
  return `${path === '' ? '(value)' : path}: ${error.message ?? 'does not match the schema'}${allowed}`;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
