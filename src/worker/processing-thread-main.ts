/**
 * The processing thread (see `ProcessingThread`): joins the plans it was
 * given (data) with the topologies' code, loaded through the loader module
 * it was given (the CLI's wiring), runs a
 * `TopologyRunner` for each over the transport served by the thread that
 * owns the Kafka client, and reports logs, observations and its outcome to
 * that thread. It never loads the Kafka client itself.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { RuntimeLog } from '../runtime/runtime-log.js';
import { TopologyRunner } from '../runtime/topology-runner.js';
import { withStepCode } from '../plan/step-code.js';
import { HttpSchemaRegistry } from '../serde/index.js';
import { RelayObserver } from './observer-relay.js';
import { remoteStreamTransport } from './remote-stream-transport.js';
import type { ProcessingThreadCommand, ProcessingThreadData, ProcessingThreadMessage, ThreadTopologyLoader } from './processing-thread-messages.js';
import { errorText } from '../error-text.js';

if (parentPort === null) throw new Error('processing-thread-main runs as a worker thread (see ProcessingThread)');
const control = parentPort;
const data = workerData as ProcessingThreadData;
const report = (message: ProcessingThreadMessage): void => control.postMessage(message);

const log: RuntimeLog = (level, message, fields) => {
  try {
    report({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) });
  } catch {
    // A field that cannot be cloned (a function, a socket): send what JSON can say of it.
    report({ type: 'log', level, message, fields: JSON.parse(JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown> });
  }
};
const observer = new RelayObserver((batch) => report({ type: 'observations', batch }));
const transport = remoteStreamTransport(data.transportPort);
const stop = new AbortController();

async function createRunners(): Promise<TopologyRunner[]> {
  const { loadTopologies } = (await import(data.topologyLoader)) as { readonly loadTopologies?: ThreadTopologyLoader };
  if (typeof loadTopologies !== 'function') throw new Error(`${data.topologyLoader} exports no loadTopologies function (a ThreadTopologyLoader)`);
  // The plans came as data; the code is joined by topology and checked against every step they name.
  const { code, resolveSchema } = await loadTopologies({ projectDir: data.projectDir, topologies: data.plans.map((p) => p.topology) });
  const plans = data.plans.map((p) => {
    const own = code.find((c) => c.topology === p.topology);
    if (own === undefined) throw new Error(`${data.topologyLoader} loaded no code for topology "${p.topology}"`);
    return withStepCode(p, own);
  });
  const registry = new HttpSchemaRegistry({ url: data.registryUrl });
  const runners: TopologyRunner[] = [];
  for (const plan of plans) {
    runners.push(
      new TopologyRunner({
        plan,
        transport,
        registry,
        resolveSchema,
        log,
        observer,
        instanceId: data.instanceId,
        staticMembership: data.staticMembership,
        guarantee: data.guarantee,
        ...(data.groupId === undefined ? {} : { groupId: data.groupId }),
      }),
    );
  }
  return runners;
}

async function runAll(runners: readonly TopologyRunner[]): Promise<void> {
  // One runner failing for good (a fenced producer) stops the others cleanly, as on the main thread.
  const outcomes = await Promise.allSettled(
    runners.map(async (runner) => {
      try {
        await runner.run(stop.signal);
      } catch (error) {
        stop.abort();
        throw error;
      }
    }),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}

const runners = createRunners();
// Reported when the owning thread asks to start, not as an unhandled rejection before.
runners.catch(() => {});
control.on('message', (command: ProcessingThreadCommand) => {
  switch (command.type) {
    case 'start':
      void runners
        .then(async (all) => {
          for (const runner of all) await runner.start();
        })
        .then(
          () => {
            log('info', `processing on a worker thread: ${data.plans.map((p) => p.topology).join(', ')}`, { threadId });
            report({ type: 'started' });
          },
          (error: unknown) => report({ type: 'failed', error: errorText(error) }),
        );
      return;
    case 'run':
      void runners
        .then(runAll)
        .then(
          () => undefined,
          (error: unknown) => errorText(error),
        )
        .then((error) => {
          observer.flush();
          report({ type: 'finished', ...(error === undefined ? {} : { error }) });
          transport.close();
        });
      return;
    case 'stop':
      stop.abort();
      return;
  }
});
