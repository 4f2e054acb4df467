import { MessageChannel, Worker } from 'node:worker_threads';
import type { RuntimeLog } from '../runtime/runtime-log.js';
import type { RuntimeObserver } from '../runtime/runtime-observer.js';
import type { StreamTransport } from '../runtime/stream-transport.js';
import { replayObservations } from './observer-relay.js';
import { serveStreamTransport } from './serve-stream-transport.js';
import type { ProcessingThreadData, ProcessingThreadMessage } from './processing-thread-messages.js';

/**
 * What the processing thread needs to plan and run its topologies.
 *
 * @example
 * ```ts
 * const options: ProcessingThreadOptions = { projectDir, plans: [plan(busTelemetry)], registryUrl, instanceId: 'host-1',
 *   topologyLoader: new URL('./processing-thread-topologies.js', import.meta.url).href, staticMembership: false, guarantee: 'exactly-once', transport, observer: metrics, log };
 * ```
 */
export interface ProcessingThreadOptions extends Omit<ProcessingThreadData, 'transportPort'> {
  /** The transport the thread's runners use, served from this thread (which owns the Kafka client). */
  readonly transport: StreamTransport;
  /** Receives the runners' observations. */
  readonly observer: RuntimeObserver;
  readonly log: RuntimeLog;
}

// From Sluice's sources the thread must register tsx before it can load TypeScript, which the boot
// file does; the compiled package starts the thread's compiled entry directly.
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./processing-thread-boot.mjs', import.meta.url)
  : new URL('./processing-thread-main.js', import.meta.url);

/**
 * Runs topologies on a worker thread of their own while this thread keeps
 * the Kafka client: librdkafka's JavaScript binding hands every consumed
 * message to JavaScript as a fresh object with copied buffers, which costs as
 * much as all of a topology's own work, and it can be loaded on one thread
 * per process only. So this thread polls, produces and commits; the
 * processing thread decodes, runs the steps and windows, and encodes. Batches
 * cross in packed buffers; the semantics (one transaction per poll, deferred
 * revocation, rewind on abort) are the runner's, unchanged.
 *
 * Logs and metrics of the runners arrive here and go to `log` and `observer`.
 *
 * @example
 * ```ts
 * const thread = ProcessingThread.spawn({ projectDir, plans: [plan(busTelemetry)], registryUrl, instanceId: 'host-1',
 *   topologyLoader: new URL('./processing-thread-topologies.js', import.meta.url).href, staticMembership: false, guarantee: 'exactly-once', transport, observer: metrics, log });
 * await thread.start();
 * await thread.run(abort.signal); // until the signal, then the runners commit and leave their groups
 * ```
 */
export class ProcessingThread {
  readonly #worker: Worker;
  readonly #server: { close(): Promise<void> };
  readonly #waiters = new Map<'started' | 'finished', { resolve(): void; reject(error: Error): void }>();
  #failure: Error | undefined;
  /** Set once the thread is meant to end: its exit is then no failure. */
  #ending = false;

  private constructor(worker: Worker, server: { close(): Promise<void> }, observer: RuntimeObserver, log: RuntimeLog) {
    this.#worker = worker;
    this.#server = server;
    worker.on('message', (message: ProcessingThreadMessage) => {
      switch (message.type) {
        case 'log':
          return log(message.level, message.message, message.fields);
        case 'observations':
          return replayObservations(message.batch, observer);
        case 'started':
          return this.#settle('started');
        case 'finished':
          this.#ending = true;
          return this.#settle('finished', message.error === undefined ? undefined : new Error(message.error));
        case 'failed':
          return this.#fail(new Error(message.error));
      }
    });
    worker.on('error', (error) => this.#fail(new Error(`the processing thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.#ending) this.#fail(new Error(`the processing thread exited (code ${code}) before its topologies finished`));
    });
  }

  /** Starts the thread; it plans its topologies and waits for {@link ProcessingThread.start}. */
  static spawn(options: ProcessingThreadOptions): ProcessingThread {
    const { port1, port2 } = new MessageChannel();
    const server = serveStreamTransport(port1, options.transport, options.log);
    const { transport: _transport, observer: _observer, log: _log, ...settings } = options;
    const data: ProcessingThreadData = { ...settings, transportPort: port2 };
    const worker = new Worker(ENTRY, { workerData: data, transferList: [port2], stdout: false, stderr: false });
    return new ProcessingThread(worker, server, options.observer, options.log);
  }

  /** Creates every topology's internal topics, joins its group and opens its writer. */
  start(): Promise<void> {
    const started = this.#await('started');
    this.#worker.postMessage({ type: 'start' });
    return started;
  }

  /** Runs until `signal` aborts and every runner has committed and left its group (or one failed). */
  async run(signal: AbortSignal): Promise<void> {
    const finished = this.#await('finished');
    const stop = (): void => void this.#worker.postMessage({ type: 'stop' });
    signal.addEventListener('abort', stop, { once: true });
    this.#worker.postMessage({ type: 'run' });
    if (signal.aborted) stop();
    try {
      await finished;
    } finally {
      signal.removeEventListener('abort', stop);
      await this.close();
    }
  }

  /** Ends the thread, whatever it was doing, and closes what its runners left open here. */
  async close(): Promise<void> {
    this.#ending = true;
    await this.#server.close();
    await this.#worker.terminate();
  }

  #await(phase: 'started' | 'finished'): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.set(phase, { resolve, reject }));
  }

  #settle(phase: 'started' | 'finished', error?: Error): void {
    const waiter = this.#waiters.get(phase);
    this.#waiters.delete(phase);
    if (error) waiter?.reject(error);
    else waiter?.resolve();
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    this.#ending = true;
    // Whatever its runners left open on this thread is closed; the thread itself has nothing left to do.
    void this.#server.close().finally(() => this.#worker.terminate());
  }
}
