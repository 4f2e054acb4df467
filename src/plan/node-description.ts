import type { WindowSpec } from '../state/index.js';
import { assertNever, type EventTimePlan, type PlanNode } from './plan-node.js';
import type { SchemaRef } from './topology-spec.js';

/**
 * A plan node as plain, printable data (no functions): what `describe()`
 * shows for it.
 *
 * @example
 * ```ts
 * describeNode(windowNode); // { kind: 'WindowNode', label: 'Window', name: 'per-minute', details: ['tumbling 1m', 'grace 30s', 'emit update'], next: ['route-stats'] }
 * ```
 */
export interface NodeDescription {
  readonly kind: PlanNode['kind'];
  readonly label: string;
  readonly name: string;
  readonly details: readonly string[];
  readonly next: readonly string[];
}

/**
 * Describes one node; the switch is exhaustive over node kinds.
 *
 * @example
 * ```ts
 * describeNode(plan.subTopologies[0]!.sources[0]!).label; // 'Source'
 * ```
 */
export function describeNode(node: PlanNode): NodeDescription {
  const next = node.next.map((n) => n.name);
  const base = { kind: node.kind, name: node.name, next };
  const dlq = node.deadLetter === undefined ? [] : [`dead letter: ${node.deadLetter}`];
  switch (node.kind) {
    case 'SourceNode':
      return { ...base, label: 'Source', details: [`topic: ${node.topic}`, `schema: ${schemaName(node.schema)}`, `event time: ${eventTime(node.eventTime)}`, ...dlq] };
    case 'RepartitionSourceNode':
      return { ...base, label: 'Source', details: [`topic: ${node.topic}`, `key: ${node.keyField}`, 'event time: record timestamp'] };
    case 'ValidateNode':
      return { ...base, label: 'Validate', details: dlq };
    case 'PipeNode':
      return { ...base, label: 'Pipe', details: [`${node.operatorCount} operator${node.operatorCount === 1 ? '' : 's'}`] };
    case 'MergeNode':
      return { ...base, label: 'Merge', details: [`inputs: ${node.inputs.join(' + ')}`] };
    case 'BranchNode':
      return { ...base, label: node.mode === 'broadcast' ? 'Split' : 'Branch', details: [node.mode] };
    case 'ArmNode':
      return { ...base, label: 'Arm', details: [node.predicate ? 'when' : 'otherwise'] };
    case 'RepartitionSinkNode':
      return { ...base, label: 'Repartition', details: [`topic: ${node.topic}`, `schema: ${schemaName(node.schema)}`] };
    case 'GroupByKeyNode':
      return { ...base, label: 'Group', details: [`key: ${node.keyField}`, 'record key, no repartition'] };
    case 'TrackNode':
      return { ...base, label: 'Track', details: [`key: ${node.keyField}`, `state: ${schemaName(node.schema)}`, `rejects to: ${node.deadLetter ?? 'none'}`] };
    case 'WindowNode':
      return {
        ...base,
        label: 'Window',
        details: [
          windowText(node.window),
          `grace ${ms(node.graceMs)}`,
          `emit ${node.emit}`,
          `late: ${node.late}`,
          ...(node.idleCloseMs === undefined ? [] : [`idle close ${ms(node.idleCloseMs)}`]),
          ...(node.maxOpenWindows === undefined ? [] : [`at most ${node.maxOpenWindows} open windows per task`]),
        ],
      };
    case 'AggregateNode':
      return {
        ...base,
        label: 'Aggregate',
        details: [
          `key: ${node.keyField}`,
          // A long sum says so: its column needs bigint, where a plain sum's needs double precision.
          Object.entries(node.aggregators).map(([field, spec]) => `${field}: ${spec.kind}${spec.kind === 'sum' && spec.resultAvroType === 'long' ? ' (long)' : ''}`).join(', '),
          ...(node.changelogTopic === undefined ? [] : [`changelog: ${node.changelogTopic}`]),
        ],
      };
    case 'TableSinkNode':
      return { ...base, label: 'Table', details: [`topic: ${node.topic}`, 'compacted', `key: ${node.keySchema.fields.map((f) => f.name).join(' + ')}`] };
    case 'StreamSinkNode':
      return { ...base, label: 'Sink', details: [`topic: ${node.topic}`, `schema: ${schemaName(node.schema)}`] };
    default:
      return assertNever(node);
  }
}

/**
 * A duration for people: `60000` → `1m`, `1500` → `1500ms`.
 *
 * @example
 * ```ts
 * ms(30_000); // '30s'
 * ```
 */
export function ms(value: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (value >= size && value % size === 0) return `${value / size}${unit}`;
  }
  return `${value}ms`;
}

function windowText(window: WindowSpec): string {
  switch (window.kind) {
    case 'tumbling':
      return `tumbling ${ms(window.sizeMs)}`;
    case 'hopping':
      return `hopping ${ms(window.sizeMs)} every ${ms(window.advanceMs)}`;
    case 'session':
      return `session gap ${ms(window.gapMs)}`;
    default:
      return assertNever(window);
  }
}

function schemaName(schema: SchemaRef): string {
  if (typeof schema === 'string') return schema;
  return 'name' in schema && typeof schema.name === 'string' ? schema.name : 'inline';
}

function eventTime(spec: EventTimePlan): string {
  switch (spec.kind) {
    case 'field':
      return `field ${spec.field}`;
    case 'function':
      return 'function';
    case 'record-timestamp':
      return 'record timestamp';
    default:
      return assertNever(spec);
  }
}
