import { describe, expect, it } from 'vitest';
import type { SinkSpec } from '../../../../src/plan/topology-spec.js';
import { postgres } from '../../../../src/sinks/postgres/postgres-sink-spec.js';

describe('postgres() in a topology', () => {
  it('is a SinkSpec the planner accepts as is', () => {
    const spec: SinkSpec = postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] });
    expect(spec.kind).toBe('postgres');
  });
});
