import { busTelemetryWorkload } from './bus-telemetry.js';
import type { EventGenerator } from './event-generator.js';
import { eventsPipelineWorkload } from './events-pipeline.js';
import { heartbeatMonitoringWorkload } from './heartbeat-monitoring.js';
import { orderEventsWorkload } from './order-events.js';
import { trafficMonitoringWorkload } from './traffic-monitoring.js';

/** A workload of any record and oracle type. */
export type AnyWorkload = EventGenerator<unknown, unknown>;

/**
 * The workloads of the example topologies, one per source topic set.
 *
 * @example
 * ```ts
 * WORKLOADS.map((w) => w.name); // ['bus-telemetry', 'events-pipeline', 'traffic-monitoring', 'order-events', 'heartbeat-monitoring']
 * ```
 */
export const WORKLOADS: readonly AnyWorkload[] = [
  busTelemetryWorkload,
  eventsPipelineWorkload,
  trafficMonitoringWorkload,
  orderEventsWorkload,
  heartbeatMonitoringWorkload,
];

/** A name `sluice generate` does not know; the message lists the known ones. */
export class UnknownWorkloadError extends Error {
  override readonly name = 'UnknownWorkloadError';
}

/**
 * The workload named `name`, or feeding the topology `name`
 * (`order-processing` → the `order-events` workload).
 *
 * @example
 * ```ts
 * findWorkload('order-analytics').name; // 'order-events'
 * findWorkload('nope'); // UnknownWorkloadError: no generator named "nope" — known: bus-telemetry, …
 * ```
 */
export function findWorkload(name: string, workloads: readonly AnyWorkload[] = WORKLOADS): AnyWorkload {
  const found = workloads.find((w) => w.name === name) ?? workloads.find((w) => w.topologies.includes(name));
  if (found === undefined) {
    const known = [...new Set(workloads.flatMap((w) => [w.name, ...w.topologies]))].sort();
    throw new UnknownWorkloadError(`no generator named "${name}" — known: ${known.join(', ')}`);
  }
  return found;
}
