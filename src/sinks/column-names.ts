/**
 * How sinks name columns: record fields map to snake_case columns, and a
 * column name must be a plain lower-case identifier. Shared by every sink
 * kind with columns (PostgreSQL, the in-memory sink) and by the load-time
 * check of sink keys in `plan/`, so all of them agree on a record's columns.
 * @module
 */

/**
 * The only column (and SQL identifier) names Sluice accepts: lower-case,
 * unquoted-style names that PostgreSQL would fold to themselves, at most 63
 * bytes (NAMEDATALEN-1). Quoting alone would make any string safe, but a
 * strict pattern also keeps names that would need quoting by hand in psql
 * out of the schema.
 *
 * @example
 * ```ts
 * IDENTIFIER_PATTERN.test('window_start'); // true
 * IDENTIFIER_PATTERN.test('windowStart');  // false
 * ```
 */
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Converts a record field name (camelCase, PascalCase, kebab-case or already
 * snake_case) to the snake_case column name it maps to by default.
 * Acronyms stay together so `busID` does not become `bus_i_d`.
 *
 * @example
 * ```ts
 * toSnakeCase('avgSpeedKmh'); // 'avg_speed_kmh'
 * toSnakeCase('windowStart'); // 'window_start'
 * toSnakeCase('busID');       // 'bus_id'
 * toSnakeCase('HTTPStatus');  // 'http_status'
 * toSnakeCase('route_id');    // 'route_id'
 * ```
 */
export function toSnakeCase(field: string): string {
  // Field names repeat on every record of a batch: the regexes run once per name.
  let column = cache.get(field);
  if (column === undefined) {
    column = convert(field);
    if (cache.size >= 10_000) cache.clear();
    cache.set(field, column);
  }
  return column;
}

const cache = new Map<string, string>();

function convert(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toLowerCase();
}
