import { count, plan, reducer, session, topology, TopologyDefinitionError, tumbling, type StepSpec, type TopologySpec } from 'sluice';
import { describe, expect, test } from 'vitest';
import type { Reading } from '../../conformance/simple-fixture.js';

const src = (name = 'errs') => topology(name).source<Reading>('readings', { schema: 'reading', eventTime: 'at' });
const valid = () =>
  src()
    .deadLetter('dlq')
    .groupBy('by-sensor', 'sensor')
    .window('w', tumbling('1s'), { grace: '1s' })
    .aggregate('stats', { n: count() })
    .toTable('t');

/** The spec of `valid()` with its steps replaced. */
function withSteps(edit: (steps: StepSpec[]) => StepSpec[]): TopologySpec {
  const spec = valid().spec;
  const chain = spec.chains[0]!;
  return { name: spec.name, chains: [{ source: chain.source, steps: edit([...chain.steps]) }] };
}

/** Asserts a TopologyDefinitionError naming topology and step, with a fix. */
function expectDefinitionError(run: () => unknown, step: string, problem: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TopologyDefinitionError);
  const e = error as TopologyDefinitionError;
  expect(e.step).toBe(step);
  expect(e.message).toContain(`topology "${e.topology}": step "${step}"`);
  expect(e.message).toMatch(problem);
  expect(e.message).toMatch(/\n {2}Fix: \S/);
}

describe('load-time errors name the topology, the step and the fix', () => {
  test('the valid baseline plans', () => {
    expect(plan(valid()).subTopologies).toHaveLength(2);
  });

  test('validate without a dead-letter topic', () => {
    expectDefinitionError(() => plan(src().validate('positive', (e) => e.value > 0 || 'neg').to('out')), 'positive', /no dead-letter topic/);
  });

  test('aggregate without window', () => {
    const spec = withSteps((steps) => steps.filter((s) => s.kind !== 'window'));
    expectDefinitionError(() => plan(spec), 'by-sensor', /groupBy must be followed by a window/);
  });

  test('aggregate without key (no groupBy, no window)', () => {
    const spec = withSteps((steps) => steps.filter((s) => s.kind !== 'window' && s.kind !== 'group-by'));
    expectDefinitionError(() => plan(spec), 'stats', /no key and window/);
  });

  test('window without groupBy', () => {
    const spec = withSteps((steps) => steps.filter((s) => s.kind !== 'group-by'));
    expectDefinitionError(() => plan(spec), 'w', /must follow a groupBy/);
  });

  test('window without aggregate', () => {
    const spec = withSteps((steps) => steps.filter((s) => s.kind !== 'aggregate'));
    expectDefinitionError(() => plan(spec), 'w', /must be followed by an aggregate/);
  });

  test('duplicate step names', () => {
    const t = src().deadLetter('dlq').validate('check', () => true).validate('check', () => true).to('out');
    expectDefinitionError(() => plan(t), 'check', /two steps have this name/);
  });

  test('non-positive durations', () => {
    const zeroSize = withSteps((steps) => steps.map((s) => (s.kind === 'window' ? { ...s, window: { kind: 'tumbling', sizeMs: 0 } } : s)));
    expectDefinitionError(() => plan(zeroSize), 'w', /window size must be a positive duration/);
    const negativeGrace = src().deadLetter('dlq').groupBy('g', 'sensor').window('w', tumbling('1m'), { grace: -5 }).aggregate('a', { n: count() }).toTable('t');
    expectDefinitionError(() => plan(negativeGrace), 'w', /grace must be zero or a positive duration/);
    const badIdle = src().deadLetter('dlq').groupBy('g', 'sensor').window('w', tumbling('1m'), { idleClose: '0s' }).aggregate('a', { n: count() }).toTable('t');
    expectDefinitionError(() => plan(badIdle), 'w', /idleClose must be a positive duration/);
    expect(() => tumbling('-1m')).toThrow(/positive duration/);
  });

  test('hopping advance longer than the size (a hand-written spec)', () => {
    const spec = withSteps((steps) =>
      steps.map((s) => (s.kind === 'window' ? { ...s, window: { kind: 'hopping', sizeMs: 1000, advanceMs: 5000 } } : s)),
    );
    expectDefinitionError(() => plan(spec), 'w', /advance \(5000 ms\) exceeds the size/);
  });

  test('grace longer than retention', () => {
    const t = src().deadLetter('dlq').groupBy('g', 'sensor').window('w', tumbling('1m'), { grace: '10m', retention: '5m' }).aggregate('a', { n: count() }).toTable('t');
    expectDefinitionError(() => plan(t), 'w', /grace \(600000 ms\) is longer than the retention allows/);
  });

  test('late records need a dead-letter topic unless dropped', () => {
    const t = src().groupBy('g', 'sensor').window('w', tumbling('1m')).aggregate('a', { n: count() }).toTable('t');
    expectDefinitionError(() => plan(t), 'w', /late records go to the dead-letter topic/);
    const dropped = src().groupBy('g', 'sensor').window('w', tumbling('1m'), { late: 'drop' }).aggregate('a', { n: count() }).toTable('t');
    expect(plan(dropped).warnings).toEqual([expect.stringContaining('has no .deadLetter(topic)')]);
  });

  test('session windows need mergeable aggregators', () => {
    const noMerge = reducer<Reading, number, number>({ init: () => 0, add: (a) => a + 1, state: { avroType: 'long', toState: (a) => a, fromState: (v) => Number(v) } });
    const t = src().deadLetter('dlq').groupBy('g', 'sensor').window('s', session('5m')).aggregate('a', { n: noMerge }).toTable('t');
    expectDefinitionError(() => plan(t), 'a', /cannot/);
  });

  test('aggregate field clashing with the key column', () => {
    const t = src().deadLetter('dlq').groupBy('g', 'sensor').window('w', tumbling('1m')).aggregate('a', { sensor: count() }).toTable('t');
    expectDefinitionError(() => plan(t), 'a', /clashes with the key or window columns/);
  });

  test('a topic used in two roles, and a table written twice', () => {
    expectDefinitionError(() => plan(src().to('readings')), 'readings', /used both as source and as output/);
    const twice = src().split('s', {
      a: (s) => s.deadLetter('dlq').groupBy('g1', 'sensor').window('w1', tumbling('1m')).aggregate('a1', { n: count() }).toTable('t'),
      b: (s) => s.deadLetter('dlq').groupBy('g2', 'sensor').window('w2', tumbling('1m')).aggregate('a2', { n: count() }).toTable('t'),
    });
    expectDefinitionError(() => plan(twice), 'a2', /written by another aggregate/);
  });

  test('two chains reading the same source', () => {
    const t = src().to('a').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).to('b');
    expectDefinitionError(() => plan(t), 'readings', /two chains read the same source topic/);
  });

  test('bad names: topology, topic, step', () => {
    expectDefinitionError(() => plan(src('bad name!').to('out')), 'bad name!', /topology name/);
    expectDefinitionError(() => plan(src().to('bad topic!')), 'bad topic!', /not a valid topic name/);
    expectDefinitionError(() => plan(src().deadLetter('dlq').validate('', () => true).to('out')), '', /step names must be non-empty/);
  });

  test('a chain without output, a sink without topic, steps after an output', () => {
    expectDefinitionError(() => plan({ name: 'x', chains: [{ source: valid().spec.chains[0]!.source, steps: [] }] }), 'readings', /ends without an output/);
    const sinkFirst = withSteps(() => [{ kind: 'sink', name: 'pg', spec: { kind: 'postgres' } }]);
    expectDefinitionError(() => plan(sinkFirst), 'pg', /nothing before it writes one/);
    const afterTo = withSteps(() => [{ kind: 'to', topic: 'out' }, { kind: 'validate', name: 'v', check: () => true }]);
    expectDefinitionError(() => plan(afterTo), 'out', /cannot follow the write/);
  });

  test('two dead-letter topics in one chain', () => {
    const t = src().deadLetter('dlq-1').validate('v', () => true).deadLetter('dlq-2').to('out');
    expectDefinitionError(() => plan(t), 'v', /a second dead-letter topic "dlq-2"/);
  });

  test('otherwise() before another arm', () => {
    const t = src().branch('b', (b) => b.otherwise('rest', (s) => s.to('rest')).when('hot', (e) => e.value > 1, (s) => s.to('hot')));
    expectDefinitionError(() => plan(t), 'b.rest', /otherwise\(\) is not the last arm/);
  });

  test('a topology with no source', () => {
    expectDefinitionError(() => plan(topology('empty')), 'empty', /no source/);
  });
});
