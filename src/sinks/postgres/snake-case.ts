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
