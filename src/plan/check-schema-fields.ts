import { AvroTypes, avroTypeText, recordFields, type AvroValueType } from '../serde/avro-field-types.js';
import type { AvroSchema } from '../serde/avro-schema.js';
import type { JsonSchema } from '../serde/schema-document.js';
import { checkSinkFields } from './check-sink-fields.js';
import { closestName } from './closest-name.js';
import { jsonEventTimeProblem, jsonSchemaFields } from './json-schema-fields.js';
import type { PlanNode } from './plan-node.js';
import { stateSchemaProblem } from './state-schema.js';
import { TopologyDefinitionError } from './topology-definition-error.js';
import type { TopologyPlan } from './topology-plan.js';
import type { SchemaRef } from './topology-spec.js';

/**
 * The schema a {@link SchemaRef} stands for, or `undefined` while it is not
 * known: `plan()` knows inline schemas only; `sluice run` resolves names from
 * `schemas/*.avsc` at start-up.
 *
 * @example
 * ```ts
 * const inlineOnly: SchemaLookup = (ref) => (typeof ref === 'string' ? undefined : ref);
 * ```
 */
export type SchemaLookup = (ref: SchemaRef) => AvroSchema | undefined;

/**
 * The JSON Schema a name stands for, or `undefined` when it is not one
 * (or not known): sources may read JSON Schema events.
 *
 * @example
 * ```ts
 * const jsonLookup: JsonSchemaLookup = (ref) => (ref === 'order' ? orderJsonSchema : undefined);
 * ```
 */
export type JsonSchemaLookup = (ref: SchemaRef) => JsonSchema | undefined;

/**
 * Checks every field name a plan reads from its records against the schema
 * in effect where it is read, so a misspelt field fails when the topology
 * loads instead of keying every record `"undefined"`:
 *
 * - the source's `eventTime` field: a field of the source schema, of a type
 *   event time is read from (`int`, `long`, `float`, `double`, `long`
 *   `timestamp-millis`; `null` allowed — such records are dead-lettered);
 *   for a JSON Schema (`lookupJsonSchema`), a property of type `integer` or
 *   `number` (nullable or not);
 * - `groupBy(name, 'field')`: a field of the schema the step's records are
 *   written to the repartition topic with (its `schema` option, else the
 *   chain's; a JSON Schema's `properties`);
 * - (not `groupByKey`'s `as`: it names a new column for the Kafka key, which
 *   need not be a field of the value;)
 * - a tracked state schema given by name: a record with the key column as a string;
 * - PostgreSQL sinks: each `key` column a column of the records the sink
 *   reads, each `columns` mapping's `from` a path to a field (see {@link checkSinkFields}).
 *
 * Throws a {@link TopologyDefinitionError} naming the topology, the step, the
 * field, the fields there are (with the closest one, "did you mean …?") and
 * the fix. Schemas `lookup` does not know are skipped, and with them the sink
 * checks, which run once every schema is known. Pure.
 *
 * @example
 * ```ts
 * checkSchemaFields(plan(t), (ref) => (typeof ref === 'string' ? schemas.resolve(ref) : ref));
 * // TopologyDefinitionError: topology "lots": step "by-lot": groupBy field "lot_idd" is not a field of schema 'lot-event'
 * //   (its fields: lot_id, machine, at); did you mean "lot_id"?.
 * //   Fix: group by a field the records have: .groupBy('by-lot', 'lot_id') …
 * ```
 */
export function checkSchemaFields(plan: TopologyPlan, lookupSchema: SchemaLookup, lookupJsonSchema: JsonSchemaLookup = () => undefined): void {
  const fail = (step: string, problem: string, fix: string): never => {
    throw new TopologyDefinitionError(plan.topology, step, problem, fix);
  };
  let unknown = false;
  const lookup: SchemaLookup = (ref) => {
    const schema = lookupSchema(ref);
    if (schema === undefined) unknown = true;
    return schema;
  };
  const visit = (node: PlanNode, schema: SchemaRef): void => {
    switch (node.kind) {
      case 'SourceNode':
        if (node.eventTime.kind === 'field') checkEventTime(node.name, node.eventTime.field, node.schema, lookup, lookupJsonSchema, fail);
        break;
      case 'RepartitionSinkNode':
        if (node.field !== undefined) {
          requireField(node.schema, lookup, lookupJsonSchema, node.field, (problem, suggestion) =>
            fail(
              node.name,
              `groupBy field "${node.field}" ${problem}`,
              `group by a field the records have${suggestion === undefined ? '' : `: .groupBy('${node.name}', '${suggestion}')`}; ` +
                `a field a .pipe() adds is grouped by with a function: .groupBy('${node.name}', (e) => e.${node.field}, { as: '${node.field}' })` +
                ', or pass the schema that has it: { schema }',
            ),
          );
        }
        break;
      case 'TrackNode': {
        const state = typeof node.schema === 'string' ? lookup(node.schema) : undefined;
        const problem = state === undefined ? undefined : stateSchemaProblem(state, node.keyField);
        if (problem !== undefined) {
          fail(node.name, `${problem} (schema '${String(node.schema)}')`, `give the state schema a string field "${node.keyField}"`);
        }
        break;
      }
      default:
        break;
    }
    const next = node.kind === 'SourceNode' || node.kind === 'RepartitionSourceNode' ? node.schema : schema;
    for (const child of node.next as readonly PlanNode[]) visit(child, next);
  };
  for (const sub of plan.subTopologies) for (const source of sub.sources) visit(source, source.schema);
  // A table's columns follow from the fields upstream (its key column is the groupBy field): while
  // some schema is unknown those fields are unchecked, and a sink error about them would point the
  // wrong way ("did you mean lot_idd?"). The start-up check, knowing every schema, reports in order.
  if (!unknown) checkSinkFields(plan, lookup, fail);
}

/**
 * How a schema is named in messages.
 *
 * @example
 * ```ts
 * schemaText('bus-telemetry');                                        // "schema 'bus-telemetry'"
 * schemaText({ type: 'record', name: 'Reading', fields: [] });        // 'the inline schema Reading'
 * ```
 */
export function schemaText(ref: SchemaRef): string {
  if (typeof ref === 'string') return `schema '${ref}'`;
  const name = (ref as { name?: unknown }).name;
  return typeof name === 'string' ? `the inline schema ${name}` : 'the inline schema';
}

/**
 * Calls `missing(problem, suggestion)` when `field` is not a top-level field
 * of the record schema `ref` stands for; nothing when it is, or the schema is
 * unknown. A schema that is not a record has no fields at all.
 */
function requireField(
  ref: SchemaRef, lookup: SchemaLookup, lookupJson: JsonSchemaLookup, field: string, missing: (problem: string, suggestion: string | undefined) => never,
): void {
  const json = lookupJson(ref);
  let names: readonly string[];
  if (json !== undefined) {
    const properties = jsonSchemaFields(json);
    if (properties === undefined) missing(`cannot be read: ${schemaText(ref)} (a JSON Schema) declares no properties`, undefined);
    names = properties;
  } else {
    const schema = lookup(ref);
    if (schema === undefined) return;
    const fields = recordFields(schema);
    if (fields === undefined) missing(`cannot be read: ${schemaText(ref)} is not a record`, undefined);
    names = fields.map((f) => f.name);
  }
  if (names.includes(field)) return;
  const suggestion = closestName(field, names);
  missing(`is not a field of ${schemaText(ref)} (its fields: ${names.join(', ') || 'none'})${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`, suggestion);
}

const EVENT_TIME_KINDS = new Set(['int', 'long', 'float', 'double']);
// Numbers the runtime reads as epoch milliseconds; other logical types count something else.
const EVENT_TIME_LOGICAL = new Set([undefined, 'timestamp-millis', 'local-timestamp-millis']);

function checkEventTime(
  step: string, field: string, ref: SchemaRef, lookup: SchemaLookup, lookupJson: JsonSchemaLookup, fail: (step: string, problem: string, fix: string) => never,
): void {
  const byFunction = `or read it with a function: eventTime: (e) => …`;
  requireField(ref, lookup, lookupJson, field, (problem, suggestion) =>
    fail(step, `eventTime field "${field}" ${problem}`, `${suggestion === undefined ? 'name the field holding the event time' : `eventTime: '${suggestion}'`}, ${byFunction}, or use eventTime: 'record-timestamp'`),
  );
  const json = lookupJson(ref);
  if (json !== undefined) {
    const problem = jsonEventTimeProblem((json['properties'] as Readonly<Record<string, unknown>>)[field]);
    if (problem !== undefined) {
      fail(step, `eventTime field "${field}" ${problem} (${schemaText(ref)}, a JSON Schema)`, `name a property of epoch milliseconds (type integer or number), ${byFunction}`);
    }
    return;
  }
  const schema = lookup(ref);
  if (schema === undefined) return;
  const types = new AvroTypes(schema);
  const type = types.at(schema, [field]);
  if (type === undefined || type.kind === 'unknown') return;
  const problem = eventTimeTypeProblem(type);
  if (problem !== undefined) {
    fail(step, `eventTime field "${field}" is ${avroTypeText(type)} in ${schemaText(ref)}: ${problem}`, `name a field of epoch milliseconds (long, timestamp-millis), ${byFunction}`);
  }
}

function eventTimeTypeProblem(type: AvroValueType): string | undefined {
  if (EVENT_TIME_KINDS.has(type.kind) && EVENT_TIME_LOGICAL.has(type.logicalType)) return undefined;
  if (type.logicalType === 'timestamp-micros' || type.logicalType === 'local-timestamp-micros') {
    return 'it counts microseconds, and event time is read as epoch milliseconds';
  }
  if (type.logicalType === 'date') return 'it counts days, and event time is read as epoch milliseconds';
  if (type.logicalType?.startsWith('time-') === true) return 'it is a time of day, not a point in time';
  if (type.kind === 'string') return 'event time is read as a number of epoch milliseconds, so every record would be dead-lettered (reason event-time)';
  return 'event time is read as a number of epoch milliseconds';
}
