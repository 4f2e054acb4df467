import { CompiledAggregates } from '../state/index.js';
import type { AggregateNode, GroupByKeyNode, PlanNode, RepartitionSourceNode, TableSinkNode, TrackNode, WindowNode } from './plan-node.js';
import { durationMs, windowSizeMs } from './plan-internals.js';
import type { PlannedStep, PlannerContext, Walk } from './planner-context.js';
import { stateSchemaProblem, trackedTableKeySchema } from './state-schema.js';
import { tableSchemas, WINDOW_FIELDS } from './table-schemas.js';
import type { StepSpec } from './topology-spec.js';

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The checks groupBy and groupByKey share: a unique step name, an Avro-safe key column, a window or track next. */
function checkGrouping(
  ctx: PlannerContext,
  step: { readonly name: string; readonly keyField: string },
  next: StepSpec | undefined,
  text: { readonly what: string; readonly keyExample: string; readonly nextHint: string },
): void {
  ctx.name(step.name);
  if (!AVRO_NAME.test(step.keyField)) {
    ctx.fail(step.name, `key column "${step.keyField}" is not a valid Avro field name`, `name it with letters, digits and '_' ({ as: '${text.keyExample}' })`);
  }
  if (next?.kind !== 'window' && next?.kind !== 'track') ctx.fail(step.name, `${text.what} must be followed by a window or a track`, text.nextHint);
}

/**
 * Plans `.groupBy()` at `steps[i]`: a repartition topic
 * `<applicationId>.<step>-repartition` and a new sub-topology reading it,
 * which holds the window or track that must follow.
 *
 * @example
 * ```ts
 * case 'group-by': return [planGroupBy(this, step, steps, i, walk)]; // a RepartitionSinkNode
 * ```
 */
export function planGroupBy(ctx: PlannerContext, step: PlannedStep<'group-by'>, steps: readonly StepSpec[], i: number, walk: Walk): PlanNode {
  checkGrouping(ctx, step, steps[i + 1], {
    what: 'groupBy',
    keyExample: 'route_id',
    nextHint: `add .window('<name>', tumbling('1m'), { grace: '30s' }) after .groupBy('${step.name}', …)`,
  });
  const topic = `${ctx.applicationId}.${step.name}-repartition`;
  ctx.topic(step.name, topic, 'repartition', false, walk.inputTopic);
  const schema = step.schema ?? walk.schema;
  const id = ctx.nextSubTopologyId();
  const downstream: Walk = { deadLetter: walk.deadLetter, schema, inputTopic: topic, subTopology: id };
  const root: RepartitionSourceNode = {
    kind: 'RepartitionSourceNode',
    name: topic,
    deadLetter: walk.deadLetter,
    topic,
    schema,
    keyField: step.keyField,
    next: ctx.steps(steps, i + 1, downstream, step.name),
  };
  ctx.addSubTopology({ id, inputTopics: [topic], sources: [root], changelogTopics: [] });
  return {
    kind: 'RepartitionSinkNode', name: step.name, deadLetter: walk.deadLetter, topic, schema,
    ...(step.field === undefined ? {} : { field: step.field }),
    next: [],
  };
}

/**
 * Plans `.groupByKey()` at `steps[i]`: no repartition, the window or track
 * that must follow runs in the same task.
 *
 * @example
 * ```ts
 * case 'group-by-key': return [planGroupByKey(this, step, steps, i, walk)];
 * ```
 */
export function planGroupByKey(ctx: PlannerContext, step: PlannedStep<'group-by-key'>, steps: readonly StepSpec[], i: number, walk: Walk): GroupByKeyNode {
  checkGrouping(ctx, step, steps[i + 1], {
    what: 'groupByKey',
    keyExample: 'order_id',
    nextHint: `add .window('<name>', tumbling('1m')) or .track('<name>', …) after .groupByKey('${step.name}')`,
  });
  // Same task, same partition: the records are already where their key lives.
  const nodes = ctx.steps(steps, i + 1, walk, step.name) as GroupByKeyNode['next'];
  return {
    kind: 'GroupByKeyNode', name: step.name, deadLetter: walk.deadLetter, keyField: step.keyField,
    next: nodes,
  };
}

/**
 * Plans `.track()` at `steps[i]` and the `.toTable()` after it: the table is
 * also the state's changelog, keyed by the group key alone.
 *
 * @example
 * ```ts
 * case 'track': return [planTrack(this, step, steps, i, walk)];
 * ```
 */
export function planTrack(ctx: PlannerContext, step: PlannedStep<'track'>, steps: readonly StepSpec[], i: number, walk: Walk): TrackNode {
  ctx.name(step.name);
  const previous = steps[i - 1];
  if (previous?.kind !== 'group-by' && previous?.kind !== 'group-by-key') {
    ctx.fail(step.name, 'track has no key: it must follow a groupBy or groupByKey', `add .groupByKey('<name>', { as: '<column>' }) or .groupBy('<name>', '<field>') before .track('${step.name}', …)`);
  }
  const keyField = previous.keyField;
  if (typeof step.initial !== 'function' || typeof step.update !== 'function') {
    ctx.fail(step.name, 'track needs an initial(key) and an update(state, record) function', `pass .track('${step.name}', { schema, initial: (key) => ({ … }), update: (state, e) => next or 'reason' })`);
  }
  const problem = typeof step.schema === 'string' ? undefined : stateSchemaProblem(step.schema, keyField);
  if (problem !== undefined) ctx.fail(step.name, problem, `give the state schema a string field "${keyField}"`);
  if (walk.deadLetter === undefined) {
    ctx.fail(step.name, 'track rejects records to the dead-letter topic, but the chain has none', `add .deadLetter('<topic>') to the chain`);
  }
  const table = steps[i + 1];
  if (table?.kind !== 'to-table') ctx.fail(step.name, 'the tracked state is not written anywhere', `add .toTable('<topic>') after .track('${step.name}', …)`);
  ctx.topicName(step.name, table.topic);
  if (ctx.roleOf(table.topic) === 'table') ctx.fail(step.name, `table topic "${table.topic}" is written by another step`, 'give each table its own topic');
  // The table is the changelog: co-partitioned with the input, restored into the same task.
  ctx.topic(step.name, table.topic, 'table', true, walk.inputTopic);
  ctx.addChangelog(walk.subTopology, table.topic);
  ctx.sinksAfter(steps, i + 1, table.topic);
  const keySchema = trackedTableKeySchema(table.topic, keyField);
  const sink: TableSinkNode = { kind: 'TableSinkNode', name: table.topic, deadLetter: walk.deadLetter, topic: table.topic, keySchema, valueSchema: step.schema, next: [] };
  return { kind: 'TrackNode', name: step.name, deadLetter: walk.deadLetter, keyField, schema: step.schema, next: [sink] };
}

/**
 * Plans `.window()` at `steps[i]` with the `.aggregate()` and `.toTable()`
 * that must follow it.
 *
 * @example
 * ```ts
 * case 'window': return [planWindow(this, step, steps, i, walk)];
 * ```
 */
export function planWindow(ctx: PlannerContext, step: PlannedStep<'window'>, steps: readonly StepSpec[], i: number, walk: Walk): WindowNode {
  ctx.name(step.name);
  const previous = steps[i - 1];
  if (previous?.kind !== 'group-by' && previous?.kind !== 'group-by-key') {
    ctx.fail(step.name, 'window has no key: it must follow a groupBy or groupByKey', `add .groupBy('<name>', '<field>') before .window('${step.name}', …)`);
  }
  const sizeMs = windowSizeMs(step.name, step.window, ctx.fail);
  const graceMs = durationMs(step.name, step.grace, 'grace', true, ctx.fail);
  const retentionMs = step.retention === undefined ? sizeMs + graceMs : durationMs(step.name, step.retention, 'retention', false, ctx.fail);
  if (retentionMs < sizeMs + graceMs) {
    ctx.fail(step.name, `grace (${graceMs} ms) is longer than the retention allows (${retentionMs} ms for windows of ${sizeMs} ms)`, `make retention at least size + grace (${sizeMs + graceMs} ms), or shorten grace`);
  }
  const idleCloseMs = step.idleClose === undefined ? undefined : durationMs(step.name, step.idleClose, 'idleClose', false, ctx.fail);
  if (step.emit !== 'update' && step.emit !== 'final') ctx.fail(step.name, `unknown emit mode "${String(step.emit)}"`, `use emit: 'update' or 'final'`);
  if (step.late !== 'dead-letter' && step.late !== 'drop') ctx.fail(step.name, `unknown late policy "${String(step.late)}"`, `use late: 'dead-letter' or 'drop'`);
  if (step.late === 'dead-letter' && walk.deadLetter === undefined) {
    ctx.fail(step.name, 'late records go to the dead-letter topic, but the chain has none', `add .deadLetter('<topic>') to the chain, or pass { late: 'drop' } to .window('${step.name}', …)`);
  }
  const aggregate = steps[i + 1];
  if (aggregate?.kind !== 'aggregate') {
    ctx.fail(step.name, 'window must be followed by an aggregate', `add .aggregate('<name>', { events: count() }) after .window('${step.name}', …)`);
  }
  const max = step.maxOpenWindows;
  if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) {
    ctx.fail(step.name, `maxOpenWindows must be a positive whole number, got ${String(max)}`, `pass { maxOpenWindows: 1_000_000 } to .window('${step.name}', …), or leave it out`);
  }
  if (max !== undefined && walk.deadLetter === undefined) {
    ctx.fail(step.name, 'records beyond maxOpenWindows go to the dead-letter topic (state-full), but the chain has none', `add .deadLetter('<topic>') to the chain`);
  }
  const maxOpenWindows = max ?? ctx.defaultMaxOpenWindows;
  const group = previous as PlannedStep<'group-by' | 'group-by-key'>;
  const node = planAggregate(ctx, aggregate, steps, i + 1, walk, group.keyField, step);
  return {
    kind: 'WindowNode', name: step.name, deadLetter: walk.deadLetter, window: step.window, graceMs, retentionMs, emit: step.emit, idleCloseMs, late: step.late,
    ...(maxOpenWindows === undefined ? {} : { maxOpenWindows }),
    next: [node],
  };
}

function planAggregate(ctx: PlannerContext, step: PlannedStep<'aggregate'>, steps: readonly StepSpec[], i: number, walk: Walk, keyField: string, window: PlannedStep<'window'>): AggregateNode {
  ctx.name(step.name);
  let compiled: CompiledAggregates<unknown>;
  try {
    compiled = new CompiledAggregates(step.aggregators);
  } catch (error) {
    return ctx.fail(step.name, (error as Error).message, 'fix the aggregate fields');
  }
  for (const field of compiled.names) {
    if (!AVRO_NAME.test(field)) ctx.fail(step.name, `aggregate field "${field}" is not a valid Avro field name`, 'use letters, digits and _');
    if (field === keyField || (WINDOW_FIELDS as readonly string[]).includes(field)) {
      ctx.fail(step.name, `aggregate field "${field}" clashes with the key or window columns`, `rename the field (the table value has ${keyField}, window_start and window_end)`);
    }
  }
  if (compiled.refuses && walk.deadLetter === undefined) {
    const field = compiled.names.find((_, i) => compiled.specs[i]!.refuse !== undefined);
    ctx.fail(step.name, `aggregate field "${String(field)}" refuses records it cannot fold (a long sum refuses fractions) to the dead-letter topic, but the chain has none`, `add .deadLetter('<topic>') to the chain`);
  }
  if (window.window.kind === 'session' && !compiled.canMerge) {
    ctx.fail(step.name, 'session windows merge, but an aggregator here cannot', 'give the reducer a merge(a, b) or use a tumbling/hopping window');
  }
  const table = steps[i + 1];
  if (table?.kind !== 'to-table') {
    ctx.fail(step.name, 'the aggregate is not written anywhere', `add .toTable('<topic>') after .aggregate('${step.name}', …)`);
  }
  ctx.topicName(step.name, table.topic);
  if (ctx.roleOf(table.topic) === 'table') ctx.fail(step.name, `table topic "${table.topic}" is written by another aggregate`, 'give each aggregate its own table topic');
  ctx.topic(step.name, table.topic, 'table', true, walk.inputTopic);
  const changelogTopic = window.emit === 'final' ? `${ctx.applicationId}.${step.name}-changelog` : undefined;
  if (changelogTopic !== undefined) ctx.topic(step.name, changelogTopic, 'changelog', true, walk.inputTopic);
  ctx.addChangelog(walk.subTopology, changelogTopic ?? table.topic);
  ctx.sinksAfter(steps, i + 1, table.topic);
  const schemas = tableSchemas(table.topic, keyField, compiled);
  const sink: TableSinkNode = { kind: 'TableSinkNode', name: table.topic, deadLetter: walk.deadLetter, topic: table.topic, keySchema: schemas.key, valueSchema: schemas.value, next: [] };
  const aggregators = Object.fromEntries(compiled.names.map((field, n) => [field, { kind: compiled.specs[n]!.kind, resultAvroType: compiled.specs[n]!.resultAvroType }]));
  return { kind: 'AggregateNode', name: step.name, deadLetter: walk.deadLetter, aggregators, keyField, changelogTopic, next: [sink] };
}
