import { map } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { count, describe as describePlan, plan, topology, tumbling } from 'sluice';

interface A {
  id: string;
  at: number;
}
const schemaA = { type: 'record', name: 'A', fields: [{ name: 'id', type: 'string' }, { name: 'at', type: 'long' }] } as const;
const schemaB = { type: 'record', name: 'B', fields: [{ name: 'ref', type: 'string' }, { name: 'ts', type: 'long' }] } as const;

function twoSources(name: string) {
  const t = topology(name);
  const b = t.source<{ ref: string; ts: number }>('b', { schema: schemaB, eventTime: 'ts' }).pipe('b-as-a', map((x): A => ({ id: x.ref, at: x.ts })));
  return { t, a: t.source<A>('a', { schema: schemaA, eventTime: 'at' }).deadLetter('dlq'), b };
}

describe('merge in the plan', () => {
  test('one sub-topology reads both topics; the merged source is co-partitioned with the first; what follows the merge is planned once', () => {
    const { a, b } = twoSources('m');
    const p = plan(a.merge('all', b).groupByKey('by-id', { as: 'id' }).window('w', tumbling(1000), { grace: 1000 }).aggregate('n', { n: count() }).toTable('t'));
    expect(p.subTopologies.map((s) => [s.inputTopics, s.sources.map((n) => n.kind), s.changelogTopics])).toEqual([[['a', 'b'], ['SourceNode', 'SourceNode'], ['t']]]);
    expect(p.topics.filter((t) => t.role === 'source').map((t) => [t.name, t.coPartitionedWith])).toEqual([['a', undefined], ['b', 'a']]);
    const [first, second] = p.subTopologies[0]!.sources;
    const mergeOfA = first!.next[0];
    const mergeOfB = second!.next[0]!.next[0];
    expect(mergeOfA?.kind).toBe('MergeNode');
    // The very same node: compiled once per task, one state for both inputs.
    expect(mergeOfB).toBe(mergeOfA);
    const text = describePlan(p);
    expect(text).toContain('Merge: all (inputs: a + b)');
    expect(text).toContain('<-- a, b-as-a');
    // The records of b are rejected to the chain's dead-letter topic too.
    expect(second!.deadLetter).toBe('dlq');
  });

  test('refused where it cannot hold, each time naming the step and the fix', () => {
    const { a, b } = twoSources('m1');
    expect(() => plan(a.groupBy('by-id', 'id').window('w', tumbling(1000)).aggregate('n', { n: count() }).toTable('t'))).not.toThrow();
    // A hand-made spec (the DSL cannot express it): the merged chain writes before the merge.
    const spec = twoSources('m2').a.merge('x', twoSources('m2').b).to('out');
    const chain = spec.spec.chains[0]!;
    const steps = chain.steps.map((s) => (s.kind === 'merge' ? { ...s, other: { ...s.other, steps: [...s.other.steps, { kind: 'to' as const, topic: 'early' }] } } : s));
    expect(() => plan({ name: 'm2', chains: [{ ...chain, steps }] })).toThrow(/step "x": the stream merged in has a \.to\(\) step before the merge/);
    const third = twoSources('m3');
    expect(() => plan(third.a.merge('x', third.b).merge('y', third.b).to('out'))).toThrow(/two chains read the same source topic/);
    const arm = twoSources('m4');
    expect(() =>
      plan(arm.a.branch('split', (br) => br.when('all', () => true, (s) => s.merge('x', arm.b).to('out')))),
    ).toThrow(/\.merge\(\) inside branch arm "split\.all"[\s\S]*merge the streams before/);
    expect(() => b.merge('self', b)).not.toThrow();
  });

  test('a stream from another topology, or one that starts inside an arm, is refused when merged', () => {
    const one = twoSources('m5');
    const other = twoSources('m6');
    expect(() => one.a.merge('x', other.b)).toThrow(/belongs to topology 'm6', not 'm5'/);
  });
});
