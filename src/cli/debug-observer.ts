import type { RuntimeLog } from '../runtime/runtime-log.js';
import type { RuntimeObserver } from '../runtime/runtime-observer.js';
import type { TopicPartitionRef } from '../runtime/stream-transport.js';

/** What one topology did since its last committed checkpoint. */
interface Checkpoint {
  records: number;
  readonly partitions: Map<string, number>;
  readonly produced: Map<string, number>;
  readonly deadLettered: Map<string, number>;
  late: number;
  /** Set once committed: what arrives after it (outputs counted at the commit) still belongs to it. */
  committedSeconds: number | undefined;
}

/** Gauges reported together (lag and open windows, every few seconds), summed into one line. */
interface Gauges {
  readonly lag: Map<string, number>;
  readonly windows: Map<string, number>;
  scheduled: boolean;
}

const label = (p: TopicPartitionRef): string => `${p.topic}[${p.partition}]`;
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/**
 * A {@link RuntimeObserver} that passes everything on to `inner` and writes
 * `--log-level debug` lines summarising the runners' work: one line per
 * committed checkpoint (records in per partition, records out per topic,
 * dead letters per reason, late records, commit time), per aborted
 * checkpoint, per restore batch, per rebalance and readiness change, and one
 * per gauge round (lag and open windows). Never a line per record. Idle
 * checkpoints (nothing in, nothing out) are not logged.
 *
 * Observations from the processing thread arrive in batches, so a checkpoint
 * is closed when the next one starts or, at the latest, in a microtask after
 * its commit (outputs are reported just after the commit).
 *
 * @example
 * ```ts
 * const observer = debugObserver(metrics, log);
 * // {"level":"debug","msg":"checkpoint committed","topology":"bus-telemetry","records":5000,
 * //  "partitions":{"bus.telemetry[0]":5000},"produced":{"bus.fast":812},"deadLettered":{},"late":0,"commitMs":4.1}
 * ```
 */
export function debugObserver(inner: RuntimeObserver, log: RuntimeLog): RuntimeObserver {
  const checkpoints = new Map<string, Checkpoint>();
  const gauges = new Map<string, Gauges>();
  const current = (topology: string): Checkpoint => {
    let checkpoint = checkpoints.get(topology);
    if (checkpoint?.committedSeconds !== undefined) {
      flush(topology);
      checkpoint = undefined;
    }
    if (checkpoint === undefined) {
      checkpoint = { records: 0, partitions: new Map(), produced: new Map(), deadLettered: new Map(), late: 0, committedSeconds: undefined };
      checkpoints.set(topology, checkpoint);
    }
    return checkpoint;
  };
  /** Outputs and dead letters are reported after the commit: they join the committed checkpoint. */
  const latest = (topology: string): Checkpoint => checkpoints.get(topology) ?? current(topology);
  const flush = (topology: string): void => {
    const checkpoint = checkpoints.get(topology);
    if (checkpoint?.committedSeconds === undefined) return;
    checkpoints.delete(topology);
    if (checkpoint.records === 0 && checkpoint.produced.size === 0) return;
    log('debug', 'checkpoint committed', {
      topology,
      records: checkpoint.records,
      partitions: Object.fromEntries(checkpoint.partitions),
      produced: Object.fromEntries(checkpoint.produced),
      deadLettered: Object.fromEntries(checkpoint.deadLettered),
      late: checkpoint.late,
      commitMs: Math.round(checkpoint.committedSeconds * 10_000) / 10,
    });
  };
  const gaugesOf = (topology: string): Gauges => {
    let round = gauges.get(topology);
    if (round === undefined) {
      round = { lag: new Map(), windows: new Map(), scheduled: false };
      gauges.set(topology, round);
    }
    if (!round.scheduled) {
      round.scheduled = true;
      queueMicrotask(() => {
        gauges.delete(topology);
        log('debug', 'gauges', { topology, lag: sum(round!.lag.values()), lagByPartition: Object.fromEntries(round!.lag), openWindows: sum(round!.windows.values()) });
      });
    }
    return round;
  };
  const add = (counts: Map<string, number>, key: string, n: number): void => void counts.set(key, (counts.get(key) ?? 0) + n);

  return {
    batchProcessed(topology, input, records, seconds) {
      inner.batchProcessed(topology, input, records, seconds);
      const checkpoint = current(topology);
      checkpoint.records += records;
      add(checkpoint.partitions, label(input), records);
    },
    recordsProduced(topology, topic, records) {
      inner.recordsProduced(topology, topic, records);
      add(latest(topology).produced, topic, records);
    },
    deadLettered(topology, reason, records) {
      inner.deadLettered(topology, reason, records);
      add(latest(topology).deadLettered, reason, records);
    },
    late(topology, records) {
      inner.late(topology, records);
      current(topology).late += records;
    },
    stateOverflow(topology, step, records) {
      inner.stateOverflow(topology, step, records);
    },
    endToEndLatency(topology, seconds) {
      inner.endToEndLatency(topology, seconds);
    },
    checkpointCommitted(topology, seconds) {
      inner.checkpointCommitted(topology, seconds);
      current(topology).committedSeconds = seconds;
      queueMicrotask(() => flush(topology));
    },
    checkpointAborted(topology) {
      inner.checkpointAborted(topology);
      const checkpoint = checkpoints.get(topology);
      checkpoints.delete(topology);
      log('debug', 'checkpoint aborted; its records will be read again', { topology, records: checkpoint?.committedSeconds === undefined ? (checkpoint?.records ?? 0) : 0 });
    },
    rebalanced(topology, kind, partitions) {
      inner.rebalanced(topology, kind, partitions);
      log('debug', `rebalance: ${partitions} partition(s) ${kind}`, { topology, kind, partitions });
    },
    restoreProgress(topology, input, records, done) {
      inner.restoreProgress(topology, input, records, done);
      if (done || records > 0) log('debug', done ? 'restore done' : 'restoring', { topology, partition: label(input), records });
    },
    openWindows(topology, input, windows) {
      inner.openWindows(topology, input, windows);
      gaugesOf(topology).windows.set(label(input), windows);
    },
    lag(topology, input, records) {
      inner.lag(topology, input, records);
      gaugesOf(topology).lag.set(label(input), records);
    },
    readiness(topology, ready) {
      inner.readiness(topology, ready);
      log('debug', ready ? 'ready: partitions assigned and restored' : 'not ready: partitions changing or recovering', { topology, ready });
    },
  };
}
