import type { StepCode } from '../plan/step-code.js';
import { assertNever, type PlanNode } from '../plan/plan-node.js';
import type { CodecSet } from './codec-set.js';
import { BranchProcessor } from './processors/branch-processor.js';
import { MergeProcessor } from './processors/merge-processor.js';
import { GroupByKeyProcessor } from './processors/group-by-key-processor.js';
import { PipeProcessor } from './processors/pipe-processor.js';
import type { Processor } from './processors/processor.js';
import { RepartitionSinkProcessor } from './processors/repartition-sink-processor.js';
import type { StatefulProcessor } from './processors/stateful-processor.js';
import { StreamSinkProcessor } from './processors/stream-sink-processor.js';
import { TrackProcessor } from './processors/track-processor.js';
import { ValidateProcessor } from './processors/validate-processor.js';
import { WindowAggregateProcessor } from './processors/window-aggregate-processor.js';

/**
 * What compiling a sub-topology needs, and collects.
 *
 * @example
 * ```ts
 * const ctx: CompileContext = { codecs, partition: 0, windows: [], subTopology: 0, partitionCount: () => 3, repartitionSinks: [], merges: new Map(), code: stepCodeOf(plan) };
 * ```
 */
export interface CompileContext {
  readonly codecs: CodecSet;
  readonly partition: number;
  /** Filled with every stateful processor, in plan order. */
  readonly windows: StatefulProcessor[];
  /** The sub-topology compiled: with the partition, it names this task to the tasks downstream of it. */
  readonly subTopology: number;
  /** Partition count of a topic of the plan. */
  readonly partitionCount: (topic: string) => number;
  /** Collects the repartition steps, whose watermark markers the task writes. */
  readonly repartitionSinks: RepartitionSinkProcessor[];
  /** The topology's user code, by step name. */
  readonly code: StepCode;
  /** Merge nodes compiled so far: every source of the task that reaches one gets the same processor (and state after it). */
  readonly merges: Map<PlanNode, Processor>;
}

/**
 * Compiles plan nodes into processors, once per task. The switch is
 * exhaustive over node kinds; sources, arms, aggregates and tables are
 * compiled by their parents.
 *
 * @example
 * ```ts
 * const next = compileProcessors(subTopology.sources[0]!.next, { codecs, partition: 0, windows: [], subTopology: 0, partitionCount: () => 3, repartitionSinks: [], merges: new Map(), code: stepCodeOf(plan) });
 * ```
 */
export function compileProcessors(nodes: readonly PlanNode[], ctx: CompileContext): Processor[] {
  return nodes.map((node) => compileOne(node, ctx));
}

function compileOne(node: PlanNode, ctx: CompileContext): Processor {
  switch (node.kind) {
    case 'ValidateNode':
      return new ValidateProcessor(node, ctx.code.validate(node.name), compileProcessors(node.next, ctx));
    case 'PipeNode':
      return new PipeProcessor(node, ctx.code.operators(node.name), compileProcessors(node.next, ctx));
    case 'MergeNode': {
      let merge = ctx.merges.get(node);
      if (merge === undefined) ctx.merges.set(node, (merge = new MergeProcessor(compileProcessors(node.next, ctx))));
      return merge;
    }
    case 'BranchNode':
      return new BranchProcessor(
        node,
        node.next.map((arm) => ({ name: arm.name, deadLetter: arm.deadLetter, when: arm.predicate ? ctx.code.when(arm.name) : undefined, next: compileProcessors(arm.next, ctx) })),
      );
    case 'RepartitionSinkNode': {
      const processor = new RepartitionSinkProcessor(node, ctx.codecs.writer(`${node.topic}-value`, node.schema), {
        origin: `${ctx.subTopology}.${ctx.partition}`,
        partitions: ctx.partitionCount(node.topic),
        key: ctx.code.key(node.name),
      });
      ctx.repartitionSinks.push(processor);
      return processor;
    }
    case 'StreamSinkNode':
      return new StreamSinkProcessor(node, ctx.codecs.writer(`${node.topic}-value`, node.schema));
    case 'GroupByKeyNode':
      return new GroupByKeyProcessor(node, compileProcessors(node.next, ctx));
    case 'TrackNode': {
      const table = node.next[0];
      const processor = new TrackProcessor(node, ctx.partition, {
        key: ctx.codecs.writer(`${table.topic}-key`, table.keySchema),
        value: ctx.codecs.writer(`${table.topic}-value`, table.valueSchema),
      }, ctx.code.track(node.name));
      ctx.windows.push(processor);
      return processor;
    }
    case 'WindowNode': {
      const aggregate = node.next[0];
      const table = aggregate.next[0];
      const tableKey = ctx.codecs.writer(`${table.topic}-key`, table.keySchema);
      const tableValue = ctx.codecs.writer(`${table.topic}-value`, table.valueSchema);
      const log = aggregate.changelogTopic;
      const processor = new WindowAggregateProcessor(node, ctx.partition, {
        tableKey,
        tableValue,
        stateKey: log === undefined ? tableKey : ctx.codecs.writer(`${log}-key`, table.keySchema),
        stateValue: log === undefined ? tableValue : ctx.codecs.writer(`${log}-value`, table.valueSchema),
      }, ctx.code.aggregators(aggregate.name));
      ctx.windows.push(processor);
      return processor;
    }
    case 'SourceNode':
    case 'RepartitionSourceNode':
    case 'ArmNode':
    case 'AggregateNode':
    case 'TableSinkNode':
      throw new Error(`${node.kind} "${node.name}" is compiled by its parent, not on its own`);
    default:
      return assertNever(node);
  }
}
