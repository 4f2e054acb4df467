import type { MessagePort } from 'node:worker_threads';
import type { StepCode } from '../plan/step-code.js';
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
 * const data: ProcessingThreadData = { projectDir, plans: [plan(busTelemetry)], registryUrl, instanceId: 'host-1',
 *   topologyLoader: loaderUrl, staticMembership: false, guarantee: 'exactly-once', transportPort: port2 };
 * ```
 */
export interface ProcessingThreadData {
  readonly projectDir: string;
  /**
   * The plans to run, made by the owning thread: plain data (their code stays behind when they
   * cross), joined on the thread with the code of the topology modules it loads.
   */
  readonly plans: readonly TopologyPlan[];
  readonly registryUrl: string;
  readonly instanceId: string;
  readonly staticMembership: boolean;
  readonly guarantee: DeliveryGuarantee;
  readonly groupId?: string;
  /**
   * The URL of a module whose `loadTopologies` export is a {@link ThreadTopologyLoader}:
   * how the thread finds the project's topologies' code is the caller's to wire.
   */
  readonly topologyLoader: string;
  /** The processing thread's end of the transport channel (see `remoteStreamTransport`). */
  readonly transportPort: MessagePort;
}

/**
 * Loads the code of the named topologies of a project on the processing
 * thread (functions do not cross threads; the plans, plain data, did), with
 * the resolver for the schemas they name.
 *
 * @example
 * ```ts
 * export const loadTopologies: ThreadTopologyLoader = async ({ projectDir, topologies }) => ({
 *   code: await Promise.all(topologies.map(async (name) => stepCode(await catalog(projectDir).load(name)))),
 *   resolveSchema: (await loadProjectSchemas(projectDir)).resolve,
 * });
 * ```
 */
export type ThreadTopologyLoader = (request: { readonly projectDir: string; readonly topologies: readonly string[] }) => Promise<{
  readonly code: readonly StepCode[];
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
