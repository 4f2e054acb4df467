/**
 * The examples' hand-written workloads, for the repository's tests. `sluice
 * generate` finds each through its file's default export instead (see
 * src/cli/generators/workload-catalog.ts), so this list is not what it reads.
 */
import busTelemetry from './bus-telemetry.js';
import eventsPipeline from './events-pipeline.js';
import heartbeatMonitoring from './heartbeat-monitoring.js';
import orderEvents from './order-events.js';
import trafficMonitoring from './traffic-monitoring.js';
import type { AnyWorkload } from '../src/cli/generators/workload-catalog.js';

/** In the order `npm start` runs them. */
export const EXAMPLE_WORKLOADS: readonly AnyWorkload[] = [busTelemetry, eventsPipeline, trafficMonitoring, orderEvents, heartbeatMonitoring];
