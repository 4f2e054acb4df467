import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { produceWorkload } from '../../../src/cli/generators/produce-workload.js';
import { findWorkload, loadWorkloads } from '../../../src/cli/generators/workload-catalog.js';
import { EXAMPLE_WORKLOADS as WORKLOADS } from '../../../workloads/index.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { EXAMPLE_TOPOLOGIES } from '../../support/repo-examples.js';
import { OPTIONS } from './support/workload-driver.js';

const catalog = new TopologyCatalog(fileURLToPath(new URL('../../..', import.meta.url)));

describe('the workloads of sluice generate', () => {
  test('every example topology has one, found by its own name or the topology it feeds', () => {
    // The examples by name: a topology a user adds to topologies/ has none, and must not fail this.
    expect(WORKLOADS.flatMap((w) => w.topologies).sort()).toEqual([...EXAMPLE_TOPOLOGIES].sort());
    expect(catalog.names()).toEqual(expect.arrayContaining([...EXAMPLE_TOPOLOGIES]));
    expect(findWorkload('order-analytics', WORKLOADS).name).toBe('order-events');
    expect(findWorkload('bus-telemetry', WORKLOADS).name).toBe('bus-telemetry');
    expect(() => findWorkload('buses', WORKLOADS)).toThrow(/no generator named "buses" — known: bus-telemetry, events-pipeline/);
  });

  test('sluice generate finds them as the default exports of workloads/*.ts, and nothing else there', async () => {
    const found = await loadWorkloads(fileURLToPath(new URL('../../..', import.meta.url)));
    expect(found.map((w) => w.name).sort()).toEqual(WORKLOADS.map((w) => w.name).sort());
    expect(found.every((w) => WORKLOADS.includes(w))).toBe(true);
  });

  test.each(WORKLOADS.map((w) => [w.name, w] as const))('%s writes the source topics of its topologies with their schemas', async (_name, workload) => {
    for (const name of workload.topologies) {
      const plan = await catalog.plan(name);
      const sources = plan.subTopologies.flatMap((s) => s.sources).filter((r) => r.kind === 'SourceNode');
      expect(sources.map((s) => [s.topic, s.schema]).sort()).toEqual(workload.topics.map((t) => [t.name, t.schema]).sort());
    }
    const records = take(workload.records(OPTIONS), 500);
    expect(new Set(records.map((r) => r.topic))).toEqual(new Set(workload.topics.map((t) => t.name)));
    expect(records.every((r) => r.key.length > 0)).toBe(true);
  });

  test.each(WORKLOADS.map((w) => [w.name, w] as const))('%s mixes invalid and late records at about the given ratios, reproducibly', (_name, workload) => {
    const options = { ...OPTIONS, invalidRatio: 0.1, lateRatio: 0.05 };
    const records = take(workload.records(options), 4_000);
    const share = (kind: string): number => records.filter((r) => r.kind === kind).length / records.length;
    // Orders turn half of the invalid share into impossible transitions (well-formed, so 'valid').
    expect(share('invalid')).toBeCloseTo(workload.name === 'order-events' ? 0.05 : 0.1, 1);
    if (workload.name !== 'traffic-monitoring') expect(share('late')).toBeCloseTo(0.05, 1);
    expect(records.filter((r) => r.kind === 'invalid').every((r) => (r.reason ?? '').length > 0)).toBe(true);
    expect(take(workload.records(options), 300)).toEqual(records.slice(0, 300));
    expect(take(workload.records({ ...options, seed: options.seed + 1 }), 300)).not.toEqual(records.slice(0, 300));
    expect(take(workload.records({ ...options, invalidRatio: 0, lateRatio: 0 }), 1_000).every((r) => r.kind === 'valid')).toBe(true);
  });

  test('produceWorkload sends whole batches and holds the rate', async () => {
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const batches: number[] = [];
    const sentAt: number[] = [];
    const records = WORKLOADS[0]!.records(OPTIONS);
    const done = await produceWorkload(records, async (batch) => void (batches.push(batch.length), sentAt.push(now)), { count: 1_050, rate: 500, batchSize: 1_000, clock });
    expect(done.sent).toBe(1_050);
    expect(batches.every((n) => n <= 50)).toBe(true); // a tenth of a second's worth at 500/s
    expect(sentAt.at(-1)).toBe(2_100); // 1,050 records at 500/s
    const unlimited: number[] = [];
    await produceWorkload(WORKLOADS[0]!.records(OPTIONS), async (batch) => void unlimited.push(batch.length), { count: 2_500, batchSize: 1_000, clock });
    expect(unlimited).toEqual([1_000, 1_000, 500]);
  });

  test('produceWorkload stops after the batch in hand when aborted', async () => {
    const stop = new AbortController();
    let batches = 0;
    const done = await produceWorkload(WORKLOADS[0]!.records(OPTIONS), async () => void (++batches === 3 && stop.abort()), { count: Number.POSITIVE_INFINITY, batchSize: 10, signal: stop.signal });
    expect(done.sent).toBe(30);
  });
});
