import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusObserver, startMetricsServer } from '../../../src/metrics/index.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(metrics: PrometheusObserver): Promise<(path: string) => Promise<{ status: number; text: string }>> {
  const server = await startMetricsServer({ registry: metrics.registry, ready: () => metrics.ready, port: 0, host: '127.0.0.1' });
  close = server.close;
  return async (path) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: response.status, text: await response.text() };
  };
}

describe('PrometheusObserver and the metrics server', () => {
  it('exposes what the runtime reported, under sluice_ names', async () => {
    const metrics = new PrometheusObserver();
    const input = { topic: 'bus.telemetry', partition: 2 };
    metrics.batchProcessed('bus', input, 500, 0.01);
    metrics.batchProcessed('bus', input, 250, 0.02);
    metrics.deadLettered('bus', 'invalid', 3);
    metrics.deadLettered('bus', 'late', 1);
    metrics.recordsProduced('bus', 'bus.stats', 40);
    metrics.lag('bus', input, 1234);
    metrics.endToEndLatency('bus', 0.2);
    const get = await serve(metrics);
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(text).toContain('sluice_records_in_total{topology="bus",topic="bus.telemetry",partition="2"} 750');
    expect(text).toContain('sluice_dead_letter_records_total{topology="bus",reason="invalid"} 3');
    expect(text).toContain('sluice_dead_letter_records_total{topology="bus",reason="late"} 1');
    expect(text).toContain('sluice_records_out_total{topology="bus",topic="bus.stats"} 40');
    expect(text).toContain('sluice_consumer_lag_records{topology="bus",topic="bus.telemetry",partition="2"} 1234');
    expect(text).toContain('sluice_end_to_end_latency_seconds_count{topology="bus"} 1');
  });

  it('/readyz turns ready only once every topology has its tasks assigned and restored', async () => {
    const metrics = new PrometheusObserver();
    const get = await serve(metrics);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
    metrics.readiness('a', false);
    metrics.readiness('b', true);
    expect((await get('/readyz')).status).toBe(503);
    metrics.readiness('a', true);
    expect((await get('/readyz')).status).toBe(200);
    metrics.readiness('b', false);
    expect((await get('/readyz')).status).toBe(503);
  });

  it('each observer has its own registry: two runners in one process do not collide', () => {
    expect(() => {
      new PrometheusObserver();
      new PrometheusObserver();
    }).not.toThrow();
  });
});

describe('stalled: lag and no progress (issue 17 item 3)', () => {
  it('an input partition with lag that processes nothing for the stall time makes /readyz 503, sluice_stalled 1 and says which', async () => {
    let now = 1_000_000;
    const metrics = new PrometheusObserver(undefined, { now: () => now, stallAfterMs: 20_000 });
    const source = { topic: 'events', partition: 0 };
    const repartition = { topic: 'app.by-type-repartition', partition: 1 };
    metrics.readiness('app', true);
    metrics.lag('app', source, 0);
    metrics.lag('app', repartition, 12_323);
    const serveWith = async (): Promise<(path: string) => Promise<{ status: number; text: string }>> => {
      const server = await startMetricsServer({ registry: metrics.registry, ready: () => metrics.ready, notReadyReason: () => metrics.notReadyReason(), port: 0, host: '127.0.0.1' });
      close = server.close;
      return async (path) => {
        const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
        return { status: response.status, text: await response.text() };
      };
    };
    const get = await serveWith();
    expect((await get('/readyz')).status).toBe(200);

    // The source partition keeps going; the repartition partition, with lag, does not.
    now += 10_000;
    metrics.batchProcessed('app', source, 100, 0.01);
    metrics.lag('app', repartition, 12_323);
    now += 10_000;
    metrics.batchProcessed('app', source, 100, 0.01);
    metrics.lag('app', repartition, 12_500);
    expect(metrics.stalled('app')).toEqual(['app.by-type-repartition[1]']);
    const readyz = await get('/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.text).toContain('stalled');
    expect(readyz.text).toContain('app.by-type-repartition[1]');
    expect((await get('/metrics')).text).toContain('sluice_stalled{topology="app"} 1');

    // Progress again: ready.
    metrics.batchProcessed('app', repartition, 5_000, 0.1);
    expect(metrics.stalled('app')).toEqual([]);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).text).toContain('sluice_stalled{topology="app"} 0');
  });

  it('no lag is never stalled, however long nothing arrives', () => {
    let now = 0;
    const metrics = new PrometheusObserver(undefined, { now: () => now });
    metrics.readiness('app', true);
    metrics.lag('app', { topic: 'events', partition: 0 }, 0);
    now += 600_000;
    metrics.lag('app', { topic: 'events', partition: 0 }, 0);
    expect(metrics.stalled('app')).toEqual([]);
    expect(metrics.ready).toBe(true);
  });
});
