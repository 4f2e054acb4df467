import { count, describe as describeTopology, describeJson, plan, topology, tumbling } from 'sluice';
import { describe, expect, test } from 'vitest';
import { busTelemetryTopology } from '../../conformance/bus-telemetry-fixture.js';
import type { Reading } from '../../conformance/simple-fixture.js';

describe('plan derivation', () => {
  test('bus telemetry: two sub-topologies split at the repartition, internal topics named after steps', () => {
    const p = plan(busTelemetryTopology);
    expect(p.applicationId).toBe('bus-telemetry');
    expect(p.subTopologies.map((s) => [s.id, s.inputTopics, s.changelogTopics])).toEqual([
      [0, ['bus.telemetry'], []],
      [1, ['bus-telemetry.by-route-repartition'], ['bus.route-stats.1m']],
    ]);
    expect(p.topics).toEqual([
      { name: 'bus.telemetry', role: 'source', internal: false, compacted: false, coPartitionedWith: undefined },
      { name: 'bus.telemetry.dlq', role: 'dead-letter', internal: false, compacted: false, coPartitionedWith: undefined },
      { name: 'bus-telemetry.by-route-repartition', role: 'repartition', internal: true, compacted: false, coPartitionedWith: 'bus.telemetry' },
      { name: 'bus.route-stats.1m', role: 'table', internal: false, compacted: true, coPartitionedWith: 'bus-telemetry.by-route-repartition' },
    ]);
    expect(p.sinks).toEqual([{ name: 'route-stats-pg', topic: 'bus.route-stats.1m', spec: expect.objectContaining({ kind: 'postgres', table: 'bus_route_minute', key: ['route_id', 'window_start'] }) }]);
    expect(Object.isFrozen(p) && Object.isFrozen(p.topics)).toBe(true);
  });

  test('an application id prefixes the internal topics, so two runs of one topology never share them', () => {
    const p = plan(busTelemetryTopology, { applicationId: 'bus-canary' });
    expect(p.applicationId).toBe('bus-canary');
    expect(p.topics.filter((t) => t.internal).map((t) => t.name)).toEqual(['bus-canary.by-route-repartition']);
    // Topics the user named stay as they are.
    expect(p.topics.filter((t) => !t.internal).map((t) => t.name)).toEqual(['bus.telemetry', 'bus.telemetry.dlq', 'bus.route-stats.1m']);
  });

  test('emit final adds a compacted changelog topic, the state of open windows', () => {
    const p = plan(
      topology('fin')
        .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
        .deadLetter('dlq')
        .groupBy('g', 'sensor')
        .window('w', tumbling('1m'), { emit: 'final' })
        .aggregate('agg', { n: count() })
        .toTable('t'),
    );
    expect(p.subTopologies[1]?.changelogTopics).toEqual(['fin.agg-changelog']);
    expect(p.topics.find((t) => t.name === 'fin.agg-changelog')).toMatchObject({ role: 'changelog', internal: true, compacted: true });
  });

  test('the DSL is immutable: a shared prefix is not changed by later calls', () => {
    const base = topology('imm').source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('dlq');
    const a = base.to('a');
    const b = base.validate('v', () => true).to('b');
    expect(a.spec.chains[0]?.steps.map((s) => s.kind)).toEqual(['dead-letter', 'to']);
    expect(b.spec.chains[0]?.steps.map((s) => s.kind)).toEqual(['dead-letter', 'validate', 'to']);
    expect(Object.isFrozen(a.spec.chains[0]?.steps)).toBe(true);
  });
});

describe('describe()', () => {
  test('text, like Kafka Streams Topology.describe()', () => {
    expect(describeTopology(plan(busTelemetryTopology))).toBe(
      [
        'Topology: bus-telemetry',
        '  Sub-topology: 0',
        '    Source: bus.telemetry (topic: bus.telemetry, schema: bus-telemetry, event time: function, dead letter: bus.telemetry.dlq)',
        '      --> ranges',
        '    Validate: ranges (dead letter: bus.telemetry.dlq)',
        '      --> by-route',
        '      <-- bus.telemetry',
        '    Repartition: by-route (topic: bus-telemetry.by-route-repartition, schema: bus-telemetry)',
        '      <-- ranges',
        '  Sub-topology: 1',
        '    Source: bus-telemetry.by-route-repartition (topic: bus-telemetry.by-route-repartition, key: route_id, event time: record timestamp)',
        '      --> per-minute',
        '    Window: per-minute (tumbling 1m, grace 30s, emit update, late: dead-letter)',
        '      --> route-stats',
        '      <-- bus-telemetry.by-route-repartition',
        '    Aggregate: route-stats (key: route_id, events: count, avg_speed: avg, max_speed: max, passengers: sum)',
        '      --> bus.route-stats.1m',
        '      <-- per-minute',
        '    Table: bus.route-stats.1m (topic: bus.route-stats.1m, compacted, key: route_id + window_start)',
        '      <-- route-stats',
        '  Sinks:',
        '    route-stats-pg (postgres) <-- bus.route-stats.1m',
        '  Topics:',
        '    bus-telemetry.by-route-repartition (repartition, co-partitioned with bus.telemetry)',
        '    bus.route-stats.1m (table, compacted, co-partitioned with bus-telemetry.by-route-repartition)',
        '',
      ].join('\n'),
    );
  });

  test('mermaid: topics, one subgraph per sub-topology, edges through the repartition topic', () => {
    const m = describeTopology(plan(busTelemetryTopology), 'mermaid');
    expect(m.startsWith('flowchart LR\n')).toBe(true);
    expect(m).toContain('subgraph s0["Sub-topology 0"]');
    expect(m).toContain('subgraph s1["Sub-topology 1"]');
    expect(m).toContain('[("bus-telemetry.by-route-repartition")]');
    expect(m).toContain('[/"route-stats-pg (postgres)"/]');
    const edges = m.split('\n').filter((l) => l.includes('-->'));
    // topic→source→ranges→by-route→topic→source→window→aggregate→table→topic→sink
    expect(edges.length).toBe(10);
  });

  test('json: plain data, no functions', () => {
    const json = JSON.parse(describeTopology(plan(busTelemetryTopology), 'json')) as ReturnType<typeof describeJson>;
    expect(json.subTopologies.map((s) => s.nodes.map((n) => n.kind))).toEqual([
      ['SourceNode', 'ValidateNode', 'RepartitionSinkNode'],
      ['RepartitionSourceNode', 'WindowNode', 'AggregateNode', 'TableSinkNode'],
    ]);
    expect(json).toEqual(describeJson(plan(busTelemetryTopology)));
  });
});
