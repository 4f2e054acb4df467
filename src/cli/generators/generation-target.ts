import type { EventTimePlan, PlanNode, SourceNode, ValidateNode, WindowNode } from '../../plan/plan-node.js';
import { stepCodeOf } from '../../plan/step-code.js';
import type { SchemaRef } from '../../plan/topology-spec.js';
import type { TopologyPlan } from '../../plan/topology-plan.js';

/**
 * A window a source's records reach, and how old a record must be to be late for it.
 *
 * @example
 * ```ts
 * const w: TargetWindow = { step: 'per-minute', extentMs: 60_000, graceMs: 10_000 };
 * ```
 */
export interface TargetWindow {
  readonly step: string;
  /** Size (tumbling, hopping) or gap (session). */
  readonly extentMs: number;
  readonly graceMs: number;
}

/**
 * A validate step right after a source, and its check.
 *
 * @example
 * ```ts
 * const v: TargetValidator = { name: 'plausible-speed', check: (r) => (r as Reading).speed_kmh >= 0 || 'negative speed' };
 * ```
 */
export interface TargetValidator {
  readonly name: string;
  readonly check: (value: unknown) => true | string | false;
}

/**
 * What a schema-driven generator needs to know of one source of a topology,
 * read from its plan.
 *
 * @example
 * ```ts
 * generationTargets(plan(parkingOccupancy))[0];
 * // { topic: 'parking.events', schema: 'parking-event', eventTime: { kind: 'field', field: 'timestamp' },
 * //   validators: [], groupFields: ['lot_id'], keyColumn: undefined, windows: [{ step: 'per-minute', extentMs: 60000, graceMs: 10000 }] }
 * ```
 */
export interface GenerationTarget {
  readonly topic: string;
  readonly schema: SchemaRef;
  readonly eventTime: EventTimePlan;
  /** The validate steps that see the source's records as they are: those right after the source, with their checks. */
  readonly validators: readonly TargetValidator[];
  /** Fields `groupBy` re-keys by (before any `.pipe`, so they are the source's own fields; for a key function, its `as` column). */
  readonly groupFields: readonly string[];
  /** The key column of a `groupByKey`: the record's Kafka key, named. */
  readonly keyColumn: string | undefined;
  readonly windows: readonly TargetWindow[];
}

/**
 * The sources of a plan (one per topic), each with its validation, grouping
 * and windows — including those after a repartition.
 *
 * @example
 * ```ts
 * generationTargets(plan).map((t) => t.topic); // ['parking.events']
 * ```
 */
export function generationTargets(plan: TopologyPlan): GenerationTarget[] {
  const byInput = new Map(plan.subTopologies.flatMap((s) => s.sources).map((source) => [source.topic, source]));
  const targets = new Map<string, GenerationTarget>();
  const code = stepCodeOf(plan);
  for (const root of plan.subTopologies.flatMap((s) => s.sources)) {
    if (root.kind !== 'SourceNode' || targets.has(root.topic)) continue;
    const groupFields: string[] = [];
    const windows: TargetWindow[] = [];
    let keyColumn: string | undefined;
    const visit = (node: PlanNode, sourceShaped: boolean, seen: Set<string>): void => {
      switch (node.kind) {
        case 'RepartitionSinkNode': {
          const downstream = byInput.get(node.topic);
          if (downstream !== undefined && !seen.has(node.topic)) {
            if (sourceShaped && downstream.kind === 'RepartitionSourceNode') add(groupFields, node.field ?? downstream.keyField);
            visit(downstream, false, new Set([...seen, node.topic]));
          }
          return;
        }
        case 'GroupByKeyNode':
          keyColumn ??= node.keyField;
          break;
        case 'WindowNode':
          windows.push(windowOf(node));
          break;
        default:
          break;
      }
      // After a .pipe the records may be anything: their fields are no longer the source's.
      const stillShaped = sourceShaped && node.kind !== 'PipeNode';
      for (const next of node.next) visit(next, stillShaped, seen);
    };
    for (const next of root.next) visit(next, true, new Set());
    targets.set(root.topic, {
      topic: root.topic,
      schema: root.schema,
      eventTime: root.eventTime,
      validators: leadingValidators(root).map((node) => ({ name: node.name, check: code.validate(node.name) })),
      groupFields,
      keyColumn,
      windows,
    });
  }
  return [...targets.values()];
}

/**
 * How far back a late copy of a record goes: past the end + grace of every
 * window it could fall in, with a minute to spare; undefined without windows.
 *
 * @example
 * ```ts
 * lateByMs([{ step: 'm', extentMs: 60_000, graceMs: 30_000 }]); // 150000
 * ```
 */
export function lateByMs(windows: readonly TargetWindow[]): number | undefined {
  if (windows.length === 0) return undefined;
  return Math.max(...windows.map((w) => w.extentMs + w.graceMs)) + 60_000;
}

function leadingValidators(root: SourceNode): ValidateNode[] {
  const out: ValidateNode[] = [];
  let nodes = root.next;
  while (nodes.length === 1 && nodes[0]?.kind === 'ValidateNode') {
    out.push(nodes[0]);
    nodes = nodes[0].next;
  }
  return out;
}

function windowOf(node: WindowNode): TargetWindow {
  const w = node.window;
  return { step: node.name, extentMs: w.kind === 'session' ? w.gapMs : w.sizeMs, graceMs: node.graceMs };
}

function add(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
