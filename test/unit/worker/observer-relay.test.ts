import { describe, expect, test } from 'vitest';
import { PrometheusObserver } from '../../../src/metrics/index.js';
import type { RuntimeObserver } from '../../../src/runtime/runtime-observer.js';
import { RelayObserver, replayObservations, type ObservationBatch } from '../../../src/worker/observer-relay.js';

const input = { topic: 'bus.telemetry', partition: 3 };

function observe(observer: RuntimeObserver): void {
  observer.readiness('bus', false);
  observer.batchProcessed('bus', input, 120, 0.004);
  observer.recordsProduced('bus', 'bus.stats', 7);
  observer.deadLettered('bus', 'invalid', 2);
  observer.late('bus', 1);
  for (const s of [0.002, 0.3, 4]) observer.endToEndLatency('bus', s);
  observer.checkpointCommitted('bus', 0.02);
  observer.checkpointAborted('bus');
  observer.rebalanced('bus', 'assigned', 6);
  observer.restoreProgress('bus', input, 50, true);
  observer.openWindows('bus', input, 12);
  observer.lag('bus', input, 99);
  observer.readiness('bus', true);
}

describe('RelayObserver', () => {
  test('replayed on another observer, the metrics are exactly those of observing directly', async () => {
    const direct = new PrometheusObserver();
    observe(direct);
    const relayed = new PrometheusObserver();
    const batches: ObservationBatch[] = [];
    const relay = new RelayObserver((batch) => batches.push(structuredClone(batch)));
    observe(relay);
    relay.flush();
    for (const batch of batches) replayObservations(batch, relayed);
    expect(await relayed.registry.metrics()).toBe(await direct.registry.metrics());
    expect(relayed.ready).toBe(true);
  });

  test('readiness is sent at once; other calls within 100 ms, together', async () => {
    const batches: ObservationBatch[] = [];
    const relay = new RelayObserver((batch) => batches.push(batch));
    relay.late('bus', 1);
    relay.late('bus', 2);
    expect(batches).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.calls).toEqual([['late', 'bus', 1], ['late', 'bus', 2]]);
    relay.readiness('bus', true);
    expect(batches).toHaveLength(2);
  });
});
