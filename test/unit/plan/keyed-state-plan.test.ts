import { count, describe as describeTopology, plan, topology, TopologyDefinitionError, tumbling, type Output } from 'sluice';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { AvroRecordSchema } from '../../../src/serde/avro-schema.js';
import type { Reading } from '../../conformance/simple-fixture.js';

interface Step {
  id: string;
  status: string;
  at: number;
}
const state: AvroRecordSchema = {
  type: 'record',
  name: 'StepState',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
  ],
};
const steps = (name: string) => topology(name).source<Step>('steps', { schema: 'step', eventTime: 'at' }).deadLetter('steps.dlq');
const lifecycle = { schema: state, initial: (id: string) => ({ id, status: 'NONE' }), update: (s: { id: string; status: string }, e: Step) => ({ ...s, status: e.status }) };

describe('groupByKey in the plan', () => {
  const byKey = topology('gbk')
    .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
    .deadLetter('readings.dlq')
    .groupByKey('by-device', { as: 'device' })
    .window('w', tumbling('1m'))
    .aggregate('stats', { n: count() })
    .toTable('t.devices');

  test('one sub-topology, no repartition topic; the table is the changelog, co-partitioned with the source', () => {
    const p = plan(byKey);
    expect(p.subTopologies.map((s) => [s.id, s.inputTopics, s.changelogTopics])).toEqual([[0, ['readings'], ['t.devices']]]);
    expect(p.topics.map((t) => [t.name, t.role, t.coPartitionedWith])).toEqual([
      ['readings', 'source', undefined],
      ['readings.dlq', 'dead-letter', undefined],
      ['t.devices', 'table', 'readings'],
    ]);
  });

  test('describe shows the group step and the key column', () => {
    const text = describeTopology(plan(byKey));
    expect(text).toContain('    Group: by-device (key: device, record key, no repartition)\n      --> w\n      <-- readings');
    expect(text).toContain('Aggregate: stats (key: device, n: count)');
    expect(text).toContain('Table: t.devices (topic: t.devices, compacted, key: device + window_start)');
  });

  test('types: the key column named by `as` is a string column of the rows; a tracked table has the state type', () => {
    const grouped = topology('gbk-types').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('d');
    const windowed = grouped.groupByKey('g', { as: 'device' }).window('w', tumbling(1000)).aggregate('a', { n: count() });
    expectTypeOf(windowed.toTable('t')).toEqualTypeOf<Output<{ device: string; window_start: number; window_end: number; n: number }>>();
    const defaulted = grouped.groupByKey('g').window('w', tumbling(1000)).aggregate('a', { n: count() });
    expectTypeOf(defaulted.toTable('t')).toEqualTypeOf<Output<{ key: string; window_start: number; window_end: number; n: number }>>();
    const tracked = steps('trk-t').groupByKey('g', { as: 'id' }).track('s', { schema: state, initial: (id) => ({ id, status: 'NONE' }), update: (s) => s });
    expectTypeOf(tracked.toTable('t')).toEqualTypeOf<Output<{ id: string; status: string }>>();
  });

  test('the key column defaults to "key"', () => {
    const t = topology('gbk-default').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('d').groupByKey('g').window('w', tumbling(1000)).aggregate('a', { n: count() }).toTable('t');
    expect(describeTopology(plan(t))).toContain('key: key + window_start');
  });

  test('a bad key column name or a groupByKey not followed by a window or track fails at load time', () => {
    const base = topology('gbk-bad').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('d');
    expect(() => plan(base.groupByKey('g', { as: 'not a name' }).window('w', tumbling(1000)).aggregate('a', { n: count() }).toTable('t'))).toThrow(/key column "not a name"/);
    const spec = base.to('x').spec;
    const broken = { ...spec, chains: [{ ...spec.chains[0]!, steps: [{ kind: 'group-by-key' as const, name: 'g', keyField: 'k' }, { kind: 'to' as const, topic: 'x' }] }] };
    expect(() => plan(broken)).toThrow(/groupByKey must be followed by a window or a track/);
  });
});

describe('track in the plan', () => {
  test('a tracked table: keyed by the group key alone, its value the state schema, restored from itself', () => {
    const p = plan(steps('trk').groupByKey('by-id', { as: 'id' }).track('lifecycle', lifecycle).toTable('t.state'));
    expect(p.subTopologies[0]?.changelogTopics).toEqual(['t.state']);
    expect(p.topics.find((t) => t.name === 't.state')).toMatchObject({ role: 'table', compacted: true, coPartitionedWith: 'steps' });
    const text = describeTopology(p);
    expect(text).toContain('    Track: lifecycle (key: id, state: StepState, rejects to: steps.dlq)\n      --> t.state\n      <-- by-id');
    expect(text).toContain('Table: t.state (topic: t.state, compacted, key: id)');
  });

  test('after groupBy the state lives behind the repartition topic', () => {
    const p = plan(steps('trk-rp').groupBy('by-id', 'id').track('lifecycle', lifecycle).toTable('t.state'));
    expect(p.subTopologies.map((s) => [s.inputTopics, s.changelogTopics])).toEqual([
      [['steps'], []],
      [['trk-rp.by-id-repartition'], ['t.state']],
    ]);
  });

  test('load-time errors name the step and the fix', () => {
    const fails = (build: () => unknown, problem: RegExp) => {
      let error: unknown;
      try {
        plan(build() as Parameters<typeof plan>[0]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TopologyDefinitionError);
      expect((error as Error).message).toMatch(problem);
    };
    const noDlq = topology('trk-e1').source<Step>('steps', { schema: 'step', eventTime: 'at' });
    fails(() => noDlq.groupByKey('g', { as: 'id' }).track('lifecycle', lifecycle).toTable('t'), /track rejects records to the dead-letter topic, but the chain has none/);
    fails(() => steps('trk-e2').groupByKey('g', { as: 'order_id' }).track('lifecycle', { schema: state, initial: (order_id: string) => ({ order_id, id: '', status: '' }), update: (s) => s }).toTable('t'), /no field "order_id"/);
    fails(() => steps('trk-e3').groupByKey('g', { as: 'id' }).track('lifecycle', { ...lifecycle, schema: { ...state, fields: [{ name: 'id', type: 'long' }] } }).toTable('t'), /"id" of the state schema is not a string/);
    const spec = steps('trk-e4').to('x').spec;
    const trackStep = { kind: 'track' as const, name: 'lifecycle', schema: state, initial: lifecycle.initial, update: lifecycle.update as (s: unknown, v: unknown) => unknown };
    const chain = (list: readonly unknown[]) => ({ ...spec, chains: [{ ...spec.chains[0]!, steps: list as typeof spec.chains[0]['steps'] }] });
    fails(() => chain([{ kind: 'dead-letter', topic: 'd' }, trackStep, { kind: 'to-table', topic: 't' }]), /track has no key: it must follow a groupBy or groupByKey/);
    fails(() => chain([{ kind: 'dead-letter', topic: 'd' }, { kind: 'group-by-key', name: 'g', keyField: 'id' }, trackStep, { kind: 'to', topic: 't' }]), /the tracked state is not written anywhere/);
  });

  test('types: the state needs the key column; update returns the state or a reason', () => {
    const grouped = steps('trk-types').groupByKey('g', { as: 'id' });
    // @ts-expect-error the state has no key column "id"
    grouped.track('a', { schema: state, initial: () => ({ status: 'NONE' }), update: (s) => s });
    // @ts-expect-error update must return the state or a string, not a number
    grouped.track('b', { schema: state, initial: (id) => ({ id, status: 'NONE' }), update: () => 42 });
    // @ts-expect-error a field the record does not have
    grouped.track('c', { schema: state, initial: (id) => ({ id, status: 'NONE' }), update: (s, e) => ({ ...s, status: e.missing }) });
    const ok = grouped.track('d', { schema: state, initial: (id) => ({ id, status: 'NONE' }), update: (s, e) => (e.status === 'X' ? 'no X' : { ...s, status: e.status }) }).toTable('t');
    expect(ok.spec.chains[0]?.steps.map((s) => s.kind)).toEqual(['dead-letter', 'group-by-key', 'track', 'to-table']);
  });
});
