import type { TopologyPlan } from '../plan/topology-plan.js';
import { NO_OBSERVER } from '../runtime/runtime-observer.js';
import { TopologyRunner, type TopologyRunnerOptions } from '../runtime/topology-runner.js';
import { ProcessingThread } from '../worker/processing-thread.js';
import { processingThreadTopologyLoader } from './processing-thread-topologies.js';

/**
 * What `sluice run` starts, runs until a signal, and closes: a
 * `TopologyRunner` on this thread, or a {@link ProcessingThread} running
 * several on another.
 *
 * @example
 * ```ts
 * const hosts: TopologyHost[] = [new TopologyRunner(options)];
 * for (const host of hosts) await host.start();
 * await Promise.all(hosts.map((host) => host.run(signal)));
 * ```
 */
export interface TopologyHost {
  start(): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
  /** Releases what the host holds even if it never ran (idempotent). */
  close?(): Promise<void>;
}

/**
 * The hosts for `plans`: one processing thread running them all (the
 * default; this thread keeps the Kafka client), or one runner each on this
 * thread. The plans cross to the processing thread as data; it loads the
 * topologies' code from the project (functions do not cross threads).
 *
 * @example
 * ```ts
 * const hosts = topologyHosts({ plans, processingThread: true, projectDir, registryUrl, runner: { transport, registry, resolveSchema, log, instanceId } });
 * ```
 */
export function topologyHosts(options: {
  readonly plans: readonly TopologyPlan[];
  readonly processingThread: boolean;
  readonly projectDir: string;
  readonly registryUrl: string;
  /** Everything a runner takes but its plan. */
  readonly runner: Omit<TopologyRunnerOptions, 'plan'>;
}): TopologyHost[] {
  const { plans, runner } = options;
  if (plans.length === 0) return [];
  if (!options.processingThread) return plans.map((plan) => new TopologyRunner({ ...runner, plan }));
  const applicationId = runner.groupId;
  return [
    ProcessingThread.spawn({
      projectDir: options.projectDir,
      plans,
      registryUrl: options.registryUrl,
      topologyLoader: processingThreadTopologyLoader(),
      instanceId: runner.instanceId,
      staticMembership: runner.staticMembership ?? false,
      guarantee: runner.guarantee ?? 'exactly-once',
      ...(applicationId === undefined ? {} : { groupId: applicationId }),
      transport: runner.transport,
      observer: runner.observer ?? NO_OBSERVER,
      log: runner.log,
    }),
  ];
}
