import { count, plan, postgres, topology, tumbling, TopologyDefinitionError } from 'sluice';
import { describe, expect, test } from 'vitest';

// Seen from outside (issue 18 review): a windowed table sunk with key ['site'] kept one row per site,
// every window overwriting the last, and nothing said so.
const READING = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'site', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

interface Reading {
  site: string;
  value: number;
  at: number;
}

const perSite = (key: string[] | undefined) =>
  topology('sites')
    .source<Reading>('readings', { schema: READING, eventTime: 'at' })
    .deadLetter('readings.dlq')
    .groupBy('by-site', 'site')
    .window('minute', tumbling('1m'))
    .aggregate('stats', { n: count() })
    .toTable('sites.per-minute')
    .sink('stats-pg', postgres(key === undefined ? { table: 'site_minute' } : { table: 'site_minute', key }));

describe("a table sink's key keeps the whole table key", () => {
  test('a key without window_start is refused at load, naming what is left out and the fix', () => {
    let error: unknown;
    try {
      plan(perSite(['site']));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TopologyDefinitionError);
    const message = (error as Error).message;
    expect(message).toContain('step "stats-pg"');
    expect(message).toContain("sink key [site] leaves out window_start of table 'sites.per-minute''s key (site, window_start)");
    expect(message).toContain("key: ['site', 'window_start']");
  });

  test('the whole key, a wider key and no key at all (the sink takes the table key) plan', () => {
    expect(() => plan(perSite(['site', 'window_start']))).not.toThrow();
    expect(() => plan(perSite(['window_start', 'site', 'window_end']))).not.toThrow();
    expect(() => plan(perSite(undefined))).not.toThrow();
  });
});
