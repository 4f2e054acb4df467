/**
 * How a sink reads a decoded record's fields, whatever the destination:
 * flattened into snake_case column names, or along an explicit path.
 * @module
 */
import { toSnakeCase } from './column-names.js';

/**
 * Flattens a record's key and value into snake_case column candidates.
 * Nested plain objects join with `_` (`window: { start }` → `window_start`);
 * a scalar key is exposed as `key`. Key fields win over value fields of the
 * same name because the key is the row's identity.
 *
 * @example
 * ```ts
 * flattenRecord({ routeId: 'R1', window: { start: 0, end: 60000 } }, { avgSpeed: 31.5 });
 * // Map { 'avg_speed' => 31.5, 'route_id' => 'R1', 'window_start' => 0, 'window_end' => 60000 }
 * ```
 */
export function flattenRecord(key: unknown, value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (isPlainObject(value)) flattenInto(out, value, '');
  if (isPlainObject(key)) flattenInto(out, key, '');
  else if (key !== null && key !== undefined) out.set('key', key);
  return out;
}

function flattenInto(out: Map<string, unknown>, obj: Record<string, unknown>, prefix: string): void {
  for (const [field, v] of Object.entries(obj)) {
    const name = prefix + toSnakeCase(field);
    if (isPlainObject(v)) flattenInto(out, v, `${name}_`);
    else out.set(name, v);
  }
}

/**
 * Reads an explicit `from` path: `['key', …]` / `['value', …]` read that side;
 * any other path is looked up in the value, then in the key.
 *
 * @example
 * ```ts
 * valueAt({ key: 'R1', value: { stats: { avg: 3 } } }, ['value', 'stats', 'avg']); // 3
 * valueAt({ key: { route: 'R1' }, value: {} }, ['route']);                         // 'R1'
 * ```
 */
export function valueAt(record: { key: unknown; value: unknown }, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === 'key' || head === 'value') return rest.length === 0 ? record[head] : walkPath(record[head], rest);
  const fromValue = walkPath(record.value, path);
  return fromValue !== undefined ? fromValue : walkPath(record.key, path);
}

/**
 * The value at `path` below `root`, or undefined where the path leaves the objects.
 *
 * @example
 * ```ts
 * walkPath({ window: { start: 0 } }, ['window', 'start']); // 0
 * ```
 */
export function walkPath(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * A record-like object whose fields become columns. avsc decodes Avro records
 * into instances of generated classes, so "plain" means "not a value type",
 * not "prototype is Object".
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Date()); // false
 * ```
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  return !(Array.isArray(v) || Buffer.isBuffer(v) || v instanceof Date || v instanceof Uint8Array || v instanceof Map || v instanceof Set);
}
