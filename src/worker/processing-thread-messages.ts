import type { MessagePort } from 'node:worker_threads';
import type { PlanOptions } from '../plan/plan-topology.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaResolver } from '../runtime/codec-set.js';
import type { LogLevel } from '../runtime/runtime-log.js';
import type { DeliveryGuarantee } from '../runtime/stream-transport.js';
import type { ObservationBatch } from './observer-relay.js';

/**
 * What a processing thread is started with (its `workerData`).
 *
 * @example
 * ```ts
 * const data: ProcessingThreadData = { projectDir, topologies: ['bus-telemetry'], planOptions: {}, registryUrl, instanceId: 'host-1',
 *   topologyLoader: loaderUrl, staticMembership: false, guarantee: 'exactly-once', transportPort: port2 };
 * ```
 */
export interface ProcessingThreadData {
  readonly projectDir: string;
  readonly topologies: readonly string[];
  readonly planOptions: PlanOptions;
  readonly registryUrl: string;
  readonly instanceId: string;
  readonly staticMembership: boolean;
  readonly guarantee: DeliveryGuarantee;
  readonly groupId?: string;
  /**
   * The URL of a module whose `loadTopologies` export is a {@link ThreadTopologyLoader}:
   * how the thread finds and plans the project's topologies is the caller's to wire.
   */
  readonly topologyLoader: string;
  /** The processing thread's end of the transport channel (see `remoteStreamTransport`). */
  readonly transportPort: MessagePort;
}

/**
 * Plans the named topologies of a project on the processing thread, with the
 * resolver for the schemas they name. Plans hold the topologies' functions,
 * which do not cross threads, so the thread loads them again itself.
 *
 * @example
 * ```ts
 * export const loadTopologies: ThreadTopologyLoader = async ({ projectDir, topologies, planOptions }) => ({
 *   plans: await Promise.all(topologies.map((name) => catalog(projectDir).plan(name, planOptions))),
 *   resolveSchema: (await loadProjectSchemas(projectDir)).resolve,
 * });
 * ```
 */
export type ThreadTopologyLoader = (request: Pick<ProcessingThreadData, 'projectDir' | 'topologies' | 'planOptions'>) => Promise<{
  readonly plans: readonly TopologyPlan[];
  readonly resolveSchema: SchemaResolver;
}>;

/**
 * What the owning thread tells a processing thread: start the runners
 * (internal topics, group, writer), run them, stop them.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: 'start' } satisfies ProcessingThreadCommand);
 * ```
 */
export type ProcessingThreadCommand = { readonly type: 'start' } | { readonly type: 'run' } | { readonly type: 'stop' };

/**
 * What a processing thread reports: log lines and observations as they
 * happen, then `started`, and `finished` (with the error that stopped it, if
 * any); `failed` when it could not plan or start its topologies.
 *
 * @example
 * ```ts
 * parentPort.postMessage({ type: 'log', level: 'info', message: 'partitions assigned' } satisfies ProcessingThreadMessage);
 * ```
 */
export type ProcessingThreadMessage =
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> }
  | { readonly type: 'observations'; readonly batch: ObservationBatch }
  | { readonly type: 'started' }
  | { readonly type: 'finished'; readonly error?: string }
  | { readonly type: 'failed'; readonly error: string };
