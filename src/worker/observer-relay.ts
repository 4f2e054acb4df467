import type { RuntimeObserver } from '../runtime/runtime-observer.js';

/**
 * One observer call as data: the method name and its arguments.
 *
 * @example
 * ```ts
 * const call: ObserverCall = ['late', 'bus-telemetry', 3];
 * ```
 */
export type ObserverCall = { [K in keyof RuntimeObserver]: [K, ...Parameters<RuntimeObserver[K]>] }[keyof RuntimeObserver];

/**
 * Observer calls gathered on a processing thread, replayed on the thread
 * that serves metrics. End-to-end latencies (one per result record) travel
 * as one array per topology rather than one call each.
 *
 * @example
 * ```ts
 * const batch: ObservationBatch = { calls: [['late', 'bus-telemetry', 2]], latencies: [['bus-telemetry', new Float64Array([0.4, 0.7])]] };
 * ```
 */
export interface ObservationBatch {
  readonly calls: readonly ObserverCall[];
  readonly latencies: readonly (readonly [string, Float64Array])[];
}

const FLUSH_AFTER_MS = 100;

/**
 * A {@link RuntimeObserver} for a processing thread: it records calls and
 * sends them in batches (within 100 ms, at once for readiness changes, which
 * `/readyz` answers from) to be replayed with {@link replayObservations}.
 *
 * @example
 * ```ts
 * const observer = new RelayObserver((batch) => parentPort.postMessage({ type: 'observations', batch }));
 * const runner = new TopologyRunner({ ...options, observer });
 * // on the metrics thread: replayObservations(batch, prometheusObserver);
 * ```
 */
export class RelayObserver implements RuntimeObserver {
  readonly #send: (batch: ObservationBatch) => void;
  #calls: ObserverCall[] = [];
  #latencies = new Map<string, number[]>();
  #timer: NodeJS.Timeout | undefined;

  constructor(send: (batch: ObservationBatch) => void) {
    this.#send = send;
  }

  /** Sends what is recorded so far. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#calls.length === 0 && this.#latencies.size === 0) return;
    const latencies = [...this.#latencies].map(([topology, seconds]) => [topology, Float64Array.from(seconds)] as const);
    const batch: ObservationBatch = { calls: this.#calls, latencies };
    this.#calls = [];
    this.#latencies = new Map();
    this.#send(batch);
  }

  #record(call: ObserverCall): void {
    this.#calls.push(call);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      this.#timer.unref();
    }
  }

  batchProcessed(...args: Parameters<RuntimeObserver['batchProcessed']>): void {
    this.#record(['batchProcessed', ...args]);
  }

  recordsProduced(...args: Parameters<RuntimeObserver['recordsProduced']>): void {
    this.#record(['recordsProduced', ...args]);
  }

  deadLettered(...args: Parameters<RuntimeObserver['deadLettered']>): void {
    this.#record(['deadLettered', ...args]);
  }

  late(...args: Parameters<RuntimeObserver['late']>): void {
    this.#record(['late', ...args]);
  }

  stateOverflow(...args: Parameters<RuntimeObserver['stateOverflow']>): void {
    this.#record(['stateOverflow', ...args]);
  }

  endToEndLatency(topology: string, seconds: number): void {
    let list = this.#latencies.get(topology);
    if (list === undefined) this.#latencies.set(topology, (list = []));
    list.push(seconds);
    this.#schedule();
  }

  checkpointCommitted(...args: Parameters<RuntimeObserver['checkpointCommitted']>): void {
    this.#record(['checkpointCommitted', ...args]);
  }

  checkpointAborted(...args: Parameters<RuntimeObserver['checkpointAborted']>): void {
    this.#record(['checkpointAborted', ...args]);
  }

  rebalanced(...args: Parameters<RuntimeObserver['rebalanced']>): void {
    this.#record(['rebalanced', ...args]);
  }

  restoreProgress(...args: Parameters<RuntimeObserver['restoreProgress']>): void {
    this.#record(['restoreProgress', ...args]);
  }

  openWindows(...args: Parameters<RuntimeObserver['openWindows']>): void {
    this.#record(['openWindows', ...args]);
  }

  lag(...args: Parameters<RuntimeObserver['lag']>): void {
    this.#record(['lag', ...args]);
  }

  readiness(...args: Parameters<RuntimeObserver['readiness']>): void {
    this.#record(['readiness', ...args]);
    this.flush();
  }
}

/**
 * Applies a batch recorded by a {@link RelayObserver} to a real observer, in order.
 *
 * @example
 * ```ts
 * worker.on('message', (m) => m.type === 'observations' && replayObservations(m.batch, metrics));
 * ```
 */
export function replayObservations(batch: ObservationBatch, observer: RuntimeObserver): void {
  for (const [method, ...args] of batch.calls) (observer[method] as (...values: unknown[]) => void).apply(observer, args);
  for (const [topology, seconds] of batch.latencies) for (const s of seconds) observer.endToEndLatency(topology, s);
}
