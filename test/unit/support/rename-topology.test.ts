import { describe, expect, it } from 'vitest';
import { plan } from 'sluice';
import { allCases } from '../../conformance/all-cases.js';
import { renameTopology } from '../../support/rename-topology.js';

describe('renameTopology (isolates conformance runs on a shared broker)', () => {
  it.each(allCases.map((c) => [c.name, c] as const))('%s: every topic of the plan is renamed; code is shared, not copied', (_name, c) => {
    const original = c.topology.spec;
    const { spec, names, originals } = renameTopology(original, (n) => `${n}-x1`);
    const renamed = plan(spec);
    // Internal topics derive from the topology name, so every planned topic carries the suffix.
    for (const topic of renamed.topics) expect(topic.name, topic.role).toMatch(/-x1(\.|$)/);
    expect(renamed.applicationId).toBe(`${original.name}-x1`);
    for (const [from, to] of names) expect(originals.get(to)).toBe(from);
    // Same shape and the same functions: only names differ.
    expect(renamed.subTopologies.length).toBe(plan(original).subTopologies.length);
    expect(spec.chains[0]?.steps.map((s) => s.kind)).toEqual(original.chains[0]?.steps.map((s) => s.kind));
    expect(spec.chains[0]?.source.eventTime).toBe(original.chains[0]?.source.eventTime);
    expect(plan(original).topics.map((t) => t.name)).not.toContain(renamed.topics[0]?.name);
  });

  it('renames topics inside branch arms', () => {
    const c = allCases.find((x) => x.name.startsWith('pipe and branch'))!;
    const { spec } = renameTopology(c.topology.spec, (n) => `${n}-x1`);
    const branch = spec.chains[0]?.steps.find((s) => s.kind === 'branch');
    expect(branch?.kind === 'branch' && branch.arms.flatMap((a) => a.steps.map((s) => ('topic' in s ? s.topic : undefined)))).toEqual([
      'readings.hot-x1',
      'readings.rest-x1',
    ]);
  });
});
