import type { PostgresSinkSpec } from './postgres-sink-spec.js';

/**
 * The PostgreSQL spec of a sink on a dead-letter topic: without explicit
 * `columns`, each row field (`source_topic`, …, `payload_json`) maps to the
 * column of the same name by an explicit path. Why explicit: derived columns
 * flatten nested objects (`payload_json.event_id` → `payload_json_event_id`),
 * but `payload_json` is one JSON value for one `jsonb` column. A spec with
 * its own `columns` is kept as written.
 *
 * @example
 * ```ts
 * deadLetterColumns(postgres({ table: 'dlq_events', mode: 'insert-ignore' }), ['source_topic', 'payload_json']).columns;
 * // [{ column: 'source_topic', from: ['value', 'source_topic'], … }, { column: 'payload_json', from: ['value', 'payload_json'], … }]
 * ```
 */
export function deadLetterColumns(spec: PostgresSinkSpec, fields: readonly string[]): PostgresSinkSpec {
  if (spec.columns !== undefined) return spec;
  const columns = fields.map((field) => Object.freeze({ column: field, from: Object.freeze(['value', field]), type: undefined, scale: undefined }));
  return Object.freeze({ ...spec, columns: Object.freeze(columns) });
}
