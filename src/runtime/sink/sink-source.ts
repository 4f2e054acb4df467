import type { PlanNode } from '../../plan/plan-node.js';
import type { SinkPlan, TopologyPlan } from '../../plan/topology-plan.js';
import type { AvroSchema } from '../../serde/index.js';
import type { SchemaResolver } from '../codec-set.js';
import { DEAD_LETTER_ROW_SCHEMA } from './dead-letter-row.js';

/**
 * What a sink reads, derived from the plan: the topic, how its keys and
 * values are decoded, and the names Sluice gives the sink's consumer group
 * and dead-letter topic.
 *
 * - `table`: a `.toTable()` topic; key and value are Avro (`<topic>-key`,
 *   `<topic>-value`) read as the plan's table schemas.
 * - `stream`: a `.to()` topic; the value is Avro (`<topic>-value`), the key
 *   is the record key's UTF-8 text (a scalar key fills the sink's single key
 *   column, e.g. `event_id`).
 * - `dead-letter`: a `.deadLetter(topic, { sink })` topic; each record becomes
 *   a `DeadLetterRow` (`valueSchema` describes it; keys are not used).
 *
 * @example
 * ```ts
 * const source = sinkSource(plan, 'route-stats-pg', resolveSchema);
 * // { sink: { name: 'route-stats-pg', topic: 'bus.route-stats.1m', … }, kind: 'table',
 * //   groupId: 'bus-telemetry.route-stats-pg', deadLetterTopic: 'bus-telemetry.route-stats-pg.dlq',
 * //   keySchema: {…}, valueSchema: {…}, fields: ['route_id', 'window_start', 'window_end', 'events', …] }
 * ```
 */
export interface SinkSource {
  readonly sink: SinkPlan;
  readonly kind: 'table' | 'stream' | 'dead-letter';
  /** `<applicationId>.<sinkName>`: the sink's own consumer group, and its key in `sluice_offsets`. */
  readonly groupId: string;
  /** `<applicationId>.<sinkName>.dlq`: records the destination refused for good, or that did not decode. */
  readonly deadLetterTopic: string;
  /** Reader schema of the keys; `undefined` for a stream (keys are text). */
  readonly keySchema: AvroSchema | undefined;
  readonly valueSchema: AvroSchema;
  /**
   * The value's field paths that should become columns (nested records as
   * `a.b`); the accumulator state fields of a table (`avg_speed__sum`, …) are
   * left out: they exist for restores, not for readers.
   */
  readonly fields: readonly string[];
}

/**
 * The sink's consumer group: `<applicationId>.<sinkName>`.
 *
 * @example
 * ```ts
 * sinkGroupId('bus-telemetry', 'route-stats-pg'); // 'bus-telemetry.route-stats-pg'
 * ```
 */
export function sinkGroupId(applicationId: string, sinkName: string): string {
  return `${applicationId}.${sinkName}`;
}

/**
 * Resolves a named sink of a plan into a {@link SinkSource}. Throws naming
 * the topology and the fix when the sink is unknown or no step of the
 * topology writes its topic.
 *
 * @example
 * ```ts
 * sinkSource(plan, 'route-stats-pg', resolveSchema).kind; // 'table'
 * ```
 */
export function sinkSource(plan: TopologyPlan, sinkName: string, resolveSchema: SchemaResolver, applicationId = plan.applicationId): SinkSource {
  const sink = plan.sinks.find((s) => s.name === sinkName);
  if (sink === undefined) {
    throw new Error(`topology ${plan.topology} has no sink named "${sinkName}" (sinks: ${plan.sinks.map((s) => s.name).join(', ') || 'none'})`);
  }
  const writer = findWriter(plan, sink.topic);
  if (writer === undefined && plan.topics.some((t) => t.name === sink.topic && t.role === 'dead-letter')) {
    const groupId = sinkGroupId(applicationId, sinkName);
    return { sink, groupId, deadLetterTopic: `${groupId}.dlq`, kind: 'dead-letter', keySchema: undefined, valueSchema: DEAD_LETTER_ROW_SCHEMA, fields: fieldPaths(DEAD_LETTER_ROW_SCHEMA) };
  }
  if (writer === undefined) {
    throw new Error(`topology ${plan.topology}: sink "${sinkName}" reads ${sink.topic}, but no step writes it; put the sink after .to('${sink.topic}') or .toTable('${sink.topic}')`);
  }
  const groupId = sinkGroupId(applicationId, sinkName);
  const common = { sink, groupId, deadLetterTopic: `${groupId}.dlq` };
  if (writer.kind === 'TableSinkNode') {
    // A tracked table's value is its state schema, which may be a name in schemas/.
    const tableValue = typeof writer.valueSchema === 'string' ? resolveSchema(writer.valueSchema) : writer.valueSchema;
    return { ...common, kind: 'table', keySchema: writer.keySchema, valueSchema: tableValue, fields: fieldPaths(tableValue).filter((f) => !f.includes('__')) };
  }
  const valueSchema = resolveSchema(writer.schema);
  return { ...common, kind: 'stream', keySchema: undefined, valueSchema, fields: fieldPaths(valueSchema) };
}

type WriterNode = Extract<PlanNode, { kind: 'TableSinkNode' | 'StreamSinkNode' }>;

function findWriter(plan: TopologyPlan, topic: string): WriterNode | undefined {
  const visit = (node: PlanNode): WriterNode | undefined => {
    if ((node.kind === 'TableSinkNode' || node.kind === 'StreamSinkNode') && node.topic === topic) return node;
    for (const next of node.next as readonly PlanNode[]) {
      const found = visit(next);
      if (found) return found;
    }
    return undefined;
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) {
    const found = visit(source);
    if (found) return found;
  }
  return undefined;
}

/** Record field paths, nested records joined with `.` (what the sink flattens to `a_b` columns). */
function fieldPaths(schema: AvroSchema, prefix = ''): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return prefix ? [prefix.slice(0, -1)] : [];
  const record = schema as { type?: unknown; fields?: readonly { name: string; type: AvroSchema }[] };
  if (record.type !== 'record' || !Array.isArray(record.fields)) return prefix ? [prefix.slice(0, -1)] : [];
  return record.fields.flatMap((f) => {
    const inner = f.type;
    const nested = typeof inner === 'object' && inner !== null && !Array.isArray(inner) && (inner as { type?: unknown }).type === 'record';
    return nested ? fieldPaths(inner, `${prefix}${f.name}.`) : [`${prefix}${f.name}`];
  });
}
