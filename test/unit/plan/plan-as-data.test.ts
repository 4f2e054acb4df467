import { filter, map } from 'rxjs';
import { count, plan, Task, topology, tumbling, type InputRecord, type TopologyPlan } from 'sluice';
import { InMemorySchemaRegistry } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { stepCode, stepCodeOf, withStepCode } from '../../../src/plan/step-code.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { AvroCodec } from '../../../src/serde/index.js';

interface Ride {
  id: string;
  zone: string;
  fare: number;
  at: number;
}
const rideSchema = {
  type: 'record',
  name: 'Ride',
  fields: [{ name: 'id', type: 'string' }, { name: 'zone', type: 'string' }, { name: 'fare', type: 'double' }, { name: 'at', type: 'long' }],
} as const;

/** Every kind of user code a plan refers to: a function event time, a check, operators, arm predicates, a key function, aggregators. */
const everything = topology('plan-as-data')
  .source<Ride>('rides', { schema: rideSchema, eventTime: (r) => r.at })
  .validate('fare', (r) => r.fare >= 0 || 'negative fare')
  .deadLetter('rides.dlq')
  .pipe('paid', filter((r) => r.fare > 0), map((r) => ({ ...r, zone: r.zone.toUpperCase() })))
  .branch('by-fare', (b) =>
    b
      .when('big', (r) => r.fare > 50, (s) => s.to('rides.big'))
      .otherwise('rest', (s) => s.groupBy('by-zone', (r) => r.zone, { as: 'zone' }).window('w', tumbling(60_000), { grace: 10_000 }).aggregate('stats', { n: count() }).toTable('t.zones')),
  );

describe('a plan is data; the code it names travels beside it', () => {
  test('the plans of every example topology survive structuredClone and JSON unchanged, and compare equal', async () => {
    const catalog = new TopologyCatalog(process.cwd());
    for (const name of catalog.names()) {
      const p = await catalog.plan(name);
      const cloned = structuredClone(p);
      expect(cloned, name).toEqual(p);
      expect(JSON.parse(JSON.stringify(p)), name).toEqual(cloned);
      // What crossed has no code, and says how to attach it.
      expect(() => stepCodeOf(cloned)).toThrow(/carries no code \(it was serialised\): attach the topology's with withStepCode/);
    }
    expect(catalog.names().length).toBeGreaterThan(3);
  });

  test('a serialised plan joined with its code runs exactly like the original', async () => {
    const original = plan(everything);
    const joined = withStepCode(structuredClone(original) as TopologyPlan, stepCode(everything));
    const rides: Ride[] = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, zone: ['n', 's', 'e'][i % 3]!, fare: ((i * 37) % 120) - 10, at: 1_700_000_000_000 + i * 1_000 }));
    const outputsOf = async (p: TopologyPlan) => {
      const registry = new InMemorySchemaRegistry();
      const codec = new AvroCodec<Ride>({ registry, subject: 'rides-value', readerSchema: rideSchema });
      await codec.registerWriter();
      const task = new Task(p, 0, 0, { registry, resolveSchema: () => rideSchema, partitionCount: () => 1 });
      await task.init();
      const batch: InputRecord[] = rides.map((r, i) => ({ topic: 'rides', partition: 0, offset: BigInt(i), timestamp: r.at, key: null, value: codec.encode(r), headers: {} }));
      const result = await task.process(batch, 0);
      return result.outputs.map((o) => [o.topic, o.key?.toString('hex'), o.value?.toString('hex'), o.headers['sluice.error.reason']?.toString()]);
    };
    const expected = await outputsOf(original);
    expect(expected.filter(([topic]) => topic === 'rides.dlq')).toHaveLength(rides.filter((r) => r.fare < 0).length);
    expect(expected.filter(([topic]) => topic === 'rides.big')).toHaveLength(rides.filter((r) => r.fare > 50).length);
    expect(await outputsOf(joined)).toEqual(expected);
  });

  test('code from another version of the topology is refused when joined, naming the step it lacks', () => {
    const renamed = topology('plan-as-data')
      .source<Ride>('rides', { schema: rideSchema, eventTime: (r) => r.at })
      .validate('fare-check', (r) => r.fare >= 0 || 'negative fare')
      .deadLetter('rides.dlq')
      .to('out');
    const p = structuredClone(plan(everything)) as TopologyPlan;
    expect(() => withStepCode(p, stepCode(renamed))).toThrow('the plan names validate step "fare", which the topology\'s code does not have');
  });
});
