import type { JsonSchema } from '../serde/schema-document.js';

/**
 * The top-level property names of a JSON Schema describing an object, for
 * load-time field checks; `undefined` when it declares no `properties`.
 *
 * @example
 * ```ts
 * jsonSchemaFields({ type: 'object', properties: { order_id: { type: 'string' }, at: { type: 'integer' } } }); // ['order_id', 'at']
 * jsonSchemaFields({ type: 'string' });                                                                    // undefined
 * ```
 */
export function jsonSchemaFields(schema: JsonSchema): readonly string[] | undefined {
  const properties = schema['properties'];
  return isObject(properties) ? Object.keys(properties) : undefined;
}

/**
 * Why a JSON Schema property cannot hold event time (epoch milliseconds),
 * or `undefined` when it can — `integer` or `number`, possibly nullable —
 * or when its type is not stated plainly (`$ref`, `anyOf`…: left to the
 * runtime, which dead-letters records without a usable time).
 *
 * @example
 * ```ts
 * jsonEventTimeProblem({ type: 'integer' });                        // undefined
 * jsonEventTimeProblem({ type: ['integer', 'null'] });              // undefined
 * jsonEventTimeProblem({ type: 'string', format: 'date-time' });    // 'it is a string (date-time): event time is read as …'
 * ```
 */
export function jsonEventTimeProblem(property: unknown): string | undefined {
  if (!isObject(property)) return undefined;
  const declared = property['type'];
  const types = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared.filter((t): t is string => typeof t === 'string') : undefined;
  if (types === undefined || types.length === 0) return undefined;
  const nonNull = types.filter((t) => t !== 'null');
  if (nonNull.length > 0 && nonNull.every((t) => t === 'integer' || t === 'number')) return undefined;
  const format = typeof property['format'] === 'string' ? ` (${property['format']})` : '';
  const what = nonNull.length === 0 ? 'always null' : `of type ${nonNull.join(' or ')}${format}`;
  const consequence = nonNull.includes('string') ? ', so every record would be dead-lettered (reason event-time)' : '';
  return `it is ${what}: event time is read as a number of epoch milliseconds${consequence}`;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
