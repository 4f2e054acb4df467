/**
 * Sluice: Kafka Streams-style topologies for TypeScript on Node.
 *
 * @example
 * ```ts
 * import { topology, tumbling, count, avg, max, sum, plan, describe } from 'sluice';
 * const t = topology('bus-telemetry')
 *   .source<BusTelemetry>('bus.telemetry', { schema: 'bus-telemetry', eventTime: 'timestamp' })
 *   .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
 *   .deadLetter('bus.telemetry.dlq')
 *   .groupBy('by-route', 'route_id')
 *   .window('per-minute', tumbling('1m'), { grace: '30s' })
 *   .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
 *   .toTable('bus.route-stats.1m');
 * console.log(describe(plan(t)));
 * // Topology: bus-telemetry
 * //   Sub-topology: 0
 * //     Source: bus.telemetry (topic: bus.telemetry, schema: bus-telemetry, event time: field timestamp, dead letter: bus.telemetry.dlq)
 * //       --> ranges
 * //     Validate: ranges (dead letter: bus.telemetry.dlq)
 * //       --> by-route
 * //       <-- bus.telemetry
 * //     Repartition: by-route (topic: bus-telemetry.by-route-repartition, schema: bus-telemetry)
 * //       <-- ranges
 * //   Sub-topology: 1
 * //     Source: bus-telemetry.by-route-repartition (topic: bus-telemetry.by-route-repartition, key: route_id, event time: record timestamp)
 * //       --> per-minute
 * //     Window: per-minute (tumbling 1m, grace 30s, emit update, late: dead-letter)
 * //       --> route-stats
 * //       <-- bus-telemetry.by-route-repartition
 * //     Aggregate: route-stats (key: route_id, events: count, avg_speed: avg, max_speed: max, passengers: sum)
 * //       --> bus.route-stats.1m
 * //       <-- per-minute
 * //     Table: bus.route-stats.1m (topic: bus.route-stats.1m, compacted, key: route_id + window_start)
 * //       <-- route-stats
 * //   Topics:
 * //     bus-telemetry.by-route-repartition (repartition, co-partitioned with bus.telemetry)
 * //     bus.route-stats.1m (table, compacted, co-partitioned with bus-telemetry.by-route-repartition)
 * ```
 * @module
 */
export { topology, Topology, Output, type SourceOptions } from './dsl/topology.js';
export { Stream } from './dsl/stream.js';
export { Branches } from './dsl/branches.js';
export { GroupedStream, type WindowOptions } from './dsl/grouped-stream.js';
export { WindowedStream } from './dsl/windowed-stream.js';
export { AggregatedStream } from './dsl/aggregated-stream.js';
export { TrackedStream, type TrackOptions } from './dsl/tracked-stream.js';
export type { AggregateRow, Aggregators, EventTime, FieldsOfType, Simplify } from './dsl/dsl-types.js';

export { plan, type PlanOptions } from './plan/plan-topology.js';
export { describe, describeJson, type DescribeFormat, type TopologyDescription } from './plan/describe.js';
export { describeNode, type NodeDescription } from './plan/node-description.js';
export { TopologyDefinitionError } from './plan/topology-definition-error.js';
export { assertNever } from './plan/plan-node.js';
export type * from './plan/plan-node.js';
export type * from './plan/topology-plan.js';
export type * from './plan/topology-spec.js';

export { Task, type TaskDeps } from './runtime/task.js';
export { murmur2, partitionForKey } from './runtime/murmur2.js';
export { ERROR_HEADERS, type DeadLetterReason } from './runtime/error-headers.js';
export type { BatchResult, CommitOffset, InputRecord, OutputRecord, RecordHeaders, TaskCounters } from './runtime/records.js';
export type { SchemaDocumentResolver, SchemaResolver } from './runtime/codec-set.js';

export {
  memory, postgres, type MemorySinkMode, type MemorySinkOptions, type MemorySinkSpec, type PostgresSinkOptions, type PostgresSinkSpec,
} from './sinks/index.js';

export {
  tumbling,
  hopping,
  session,
  count,
  countWhere,
  sum,
  avg,
  min,
  max,
  first,
  last,
  reducer,
  type SumOptions,
  type OrderedPickOptions,
  type Duration,
  type WindowSpec,
  type AggregatorSpec,
  type AnyAggregatorSpec,
} from './state/index.js';
