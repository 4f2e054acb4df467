import { describe, expect, it } from 'vitest';
import { count, plan, postgres, topology, tumbling } from 'sluice';
import { formatTopologyList, summarizeTopology } from '../../../src/cli/topology-summary.js';

interface Ping { id: string; at: number }

describe('summarizeTopology', () => {
  it('names sources, outputs, tables, dead letters and sinks on one line', () => {
    const p = plan(
      topology('stats')
        .source<Ping>('pings', { schema: 'ping', eventTime: 'at' })
        .deadLetter('pings.dlq')
        .groupBy('by-id', 'id')
        .window('per-minute', tumbling('1m'))
        .aggregate('counts', { events: count() })
        .toTable('ping-counts')
        .sink('counts-pg', postgres({ table: 'ping_counts', key: ['id', 'window_start'] })),
    );
    expect(summarizeTopology(p)).toBe('pings → pings.dlq (dead letters), ping-counts (table) · sinks: counts-pg (postgres)');
  });

  it('a plain copy', () => {
    expect(summarizeTopology(plan(topology('copy').source<Ping>('pings', { schema: 'ping', eventTime: 'at' }).to('copies')))).toBe('pings → copies');
  });
});

describe('formatTopologyList', () => {
  it('aligns names and shows a broken topology as INVALID with its reason', () => {
    expect(formatTopologyList([{ name: 'copy', summary: 'pings → copies' }, { name: 'bus-stats', error: 'step x: bad' }])).toEqual([
      'copy       pings → copies',
      'bus-stats  INVALID: step x: bad',
    ]);
  });
});
