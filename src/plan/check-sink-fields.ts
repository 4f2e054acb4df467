import { AvroTypes, recordFields } from '../serde/avro-field-types.js';
import type { AvroSchema } from '../serde/avro-schema.js';
import { IDENTIFIER_PATTERN, toSnakeCase } from '../sinks/column-names.js';
import type { SchemaLookup } from './check-schema-fields.js';
import { closestName } from './closest-name.js';
import type { PlanNode, StreamSinkNode, TableSinkNode } from './plan-node.js';
import type { SinkPlan, TopologyPlan } from './topology-plan.js';

type Fail = (step: string, problem: string, fix: string) => never;

/** What the records a sink reads look like: a table's key and value, or a stream's value with a text key. */
interface SinkRecords {
  readonly topic: string;
  readonly kind: 'table' | 'stream';
  readonly value: AvroSchema;
  readonly valueTypes: AvroTypes;
  readonly key: AvroSchema | undefined;
  readonly keyTypes: AvroTypes | undefined;
}

/**
 * Checks the record fields a PostgreSQL sink names against the records it
 * reads (a `.toTable()` topic's key and value, a `.to()` topic's value):
 *
 * - without `columns`, every `key` column must be a column the records
 *   flatten to (a field, snake_case, nested records joined with `_`; a
 *   table's `…__` state fields are not columns). A stream sink with a single
 *   key column the value lacks is fine: the record's text key fills it.
 * - a table sink's `key` must hold every column of the table's key (group
 *   key, and `window_start` for windows), or rows would overwrite one another;
 * - with `columns`, every `from` must be a path to a field (`value.…`,
 *   `key.…`, or a bare path looked up in the value, then the key).
 *
 * Sinks of other kinds, dead-letter sinks and records whose schema `lookup`
 * does not know yet are skipped. Throws through `fail` with the sink's name.
 *
 * @example
 * ```ts
 * checkSinkFields(plan(t), (ref) => (typeof ref === 'string' ? undefined : ref), fail);
 * // step "route-stats-pg": sink key column "window_strat" is not a column of the records of table topic 'bus.route-stats.1m'
 * //   (columns: route_id, window_start, window_end, events); did you mean "window_start"?
 * ```
 */
export function checkSinkFields(plan: TopologyPlan, lookup: SchemaLookup, fail: Fail): void {
  for (const sink of plan.sinks) {
    if (sink.spec.kind !== 'postgres') continue;
    const records = sinkRecords(plan, sink, lookup);
    if (records === undefined) continue;
    const mappings = mappingsOf(sink.spec['columns']);
    if (mappings === undefined) checkKeyColumns(sink, records, sinkColumns(records), fail);
    else for (const mapping of mappings) checkMapping(sink, records, mapping, fail);
  }
}

function sinkRecords(plan: TopologyPlan, sink: SinkPlan, lookup: SchemaLookup): SinkRecords | undefined {
  const writer = findWriter(plan, sink.topic);
  if (writer === undefined) return undefined;
  const value = lookup(writer.kind === 'TableSinkNode' ? writer.valueSchema : writer.schema);
  if (value === undefined || recordFields(value) === undefined) return undefined;
  const key = writer.kind === 'TableSinkNode' ? writer.keySchema : undefined;
  return {
    topic: writer.topic,
    kind: writer.kind === 'TableSinkNode' ? 'table' : 'stream',
    value,
    valueTypes: new AvroTypes(value),
    key,
    keyTypes: key === undefined ? undefined : new AvroTypes(key),
  };
}

/** The columns the records flatten to, as the sink derives them (key fields and value fields). */
function sinkColumns(records: SinkRecords): readonly string[] {
  const names = new Set<string>();
  const add = (schema: AvroSchema | undefined, schemaTypes: AvroTypes | undefined): void => {
    for (const leaf of (schema === undefined ? undefined : schemaTypes?.leaves(schema)) ?? []) {
      const column = toSnakeCase(leaf.path.join('_'));
      // A table's accumulator state fields exist for restores; the sink does not write them.
      if (records.kind === 'table' && column.includes('__')) continue;
      names.add(column);
    }
  };
  add(records.value, records.valueTypes);
  add(records.key, records.keyTypes);
  return [...names];
}

function checkKeyColumns(sink: SinkPlan, records: SinkRecords, columns: readonly string[], fail: Fail): void {
  const key = stringArray(sink.spec['key']);
  if (key === undefined) return;
  // A key that is no SQL identifier (a hand-made spec) is the sink's to refuse, as an invalid identifier, before any statement.
  if (!key.every((column) => IDENTIFIER_PATTERN.test(column))) return;
  // The stream's text key fills a single key column the value lacks (see the sink's row mapping).
  if (records.kind === 'stream' && key.length === 1) return;
  for (const column of key) {
    if (columns.includes(column)) continue;
    const suggestion = closestName(column, columns);
    const fixed = key.map((k) => (k === column && suggestion !== undefined ? suggestion : k));
    fail(
      sink.name,
      `sink key column "${column}" is not a column of the records of ${records.kind} topic '${records.topic}' (columns: ${columns.join(', ')})` +
        (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
      `name columns the records have${suggestion === undefined ? '' : `: key: [${fixed.map((k) => `'${k}'`).join(', ')}]`}, ` +
        `or map the column explicitly: columns: { ${column}: 'value.<field>' }`,
    );
  }
  // An empty key means the table's primary key, known only at start-up, where the sink checks it the same way.
  if (records.kind === 'table' && key.length > 0) checkTableKeyKept(sink, records, key, fail);
}

/**
 * A table's rows are one per table key (group key, and window start for
 * windows): a sink key that leaves a part out would let rows of different
 * keys — every window of a group, say — overwrite one another, silently.
 */
function checkTableKeyKept(sink: SinkPlan, records: SinkRecords, key: readonly string[], fail: Fail): void {
  const tableKey = (records.key === undefined ? undefined : records.keyTypes?.leaves(records.key))?.map((leaf) => toSnakeCase(leaf.path.join('_'))) ?? [];
  const missing = tableKey.filter((column) => !key.includes(column));
  if (missing.length === 0) return;
  fail(
    sink.name,
    `sink key [${key.join(', ')}] leaves out ${missing.join(', ')} of table '${records.topic}''s key (${tableKey.join(', ')}): ` +
      `rows of different table keys (different windows of a group, say) would overwrite one another in PostgreSQL`,
    `key the rows by the whole table key: key: [${[...key, ...missing].map((k) => `'${k}'`).join(', ')}] (and the table's primary key with it)`,
  );
}

interface Mapping {
  readonly column: string;
  readonly from: readonly string[];
}

function checkMapping(sink: SinkPlan, records: SinkRecords, mapping: Mapping, fail: Fail): void {
  const [head, ...rest] = mapping.from;
  const { value, valueTypes, key, keyTypes } = records;
  const inValue = (path: readonly string[]): boolean => valueTypes.at(value, path) !== undefined;
  const inKey = (path: readonly string[]): boolean => (key === undefined || keyTypes === undefined ? path.length === 0 : keyTypes.at(key, path) !== undefined);
  let found: boolean;
  let side: 'value' | 'key' | 'either';
  if (head === 'value') [found, side] = [inValue(rest), 'value'];
  else if (head === 'key') [found, side] = [inKey(rest), 'key'];
  else [found, side] = [inValue(mapping.from) || inKey(mapping.from), 'either'];
  if (found) return;
  const path = side === 'either' ? mapping.from : rest;
  const known = side === 'key' ? (key === undefined || keyTypes === undefined ? { names: [], depth: 0 } : fieldsAlong(key, path, keyTypes)) : fieldsAlong(value, path, valueTypes);
  const suggestion = closestName(path[known.depth] ?? '', known.names);
  const what = side === 'key' && key === undefined ? `the key of stream topic '${records.topic}', which is text without fields` : `the ${side === 'key' ? 'key' : 'value'} of ${records.kind} topic '${records.topic}'`;
  fail(
    sink.name,
    `column ${mapping.column} maps from "${mapping.from.join('.')}", which is not a field of ${what}` +
      (known.names.length > 0 ? ` (fields there: ${known.names.join(', ')})` : '') +
      (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
    `give columns.${mapping.column} a path to a field, e.g. 'value.${known.names[0] ?? '<field>'}'`,
  );
}

/** The field names at the first segment of `path` that is missing, and its depth. */
function fieldsAlong(schema: AvroSchema, path: readonly string[], types: AvroTypes): { readonly names: readonly string[]; readonly depth: number } {
  let depth = 0;
  while (depth < path.length && types.at(schema, path.slice(0, depth + 1)) !== undefined) depth++;
  const parent = types.at(schema, path.slice(0, depth));
  const names = parent?.kind === 'record' && parent.record !== undefined ? parent.record.fields.map((f) => f.name) : [];
  return { names, depth };
}

function findWriter(plan: TopologyPlan, topic: string): TableSinkNode | StreamSinkNode | undefined {
  const visit = (node: PlanNode): TableSinkNode | StreamSinkNode | undefined => {
    if ((node.kind === 'TableSinkNode' || node.kind === 'StreamSinkNode') && node.topic === topic) return node;
    for (const next of node.next as readonly PlanNode[]) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) {
    const found = visit(source);
    if (found !== undefined) return found;
  }
  return undefined;
}

function stringArray(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** A postgres spec's validated `columns` (`{ column, from: segments }`), if it has them. */
function mappingsOf(value: unknown): readonly Mapping[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((m): m is Mapping => typeof (m as Mapping)?.column === 'string' && stringArray((m as Mapping).from) !== undefined);
}
