import { count, hopping, plan, session, topology, tumbling, TopologyDefinitionError, type WindowSpec } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { describe as describePlan } from '../../../src/plan/describe.js';
import { r, readingSchemas, type Reading } from '../../conformance/simple-fixture.js';

/** The state budget of a window step (`maxOpenWindows`): what overflows is dead-lettered as state-full and counted, never lost silently. */

/** `maxOpenWindows` null: the step sets no budget. */
const budgeted = (spec: WindowSpec = tumbling(1000), maxOpenWindows: number | null = 3, emit: 'update' | 'final' = 'update') =>
  topology('budget')
    .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
    .deadLetter('dlq')
    .groupBy('g', 'sensor')
    .window('w', spec, { grace: 0, emit, ...(maxOpenWindows === null ? {} : { maxOpenWindows }) })
    .aggregate('a', { n: count() })
    .toTable('t');

type Row = { sensor: string; window_start: number; n: number };

describe('state budget (maxOpenWindows)', () => {
  test('a record that would open a window past the budget is dead-lettered as state-full and counted; open windows still take records', async () => {
    const driver = new TopologyTestDriver(budgeted(), { schemas: readingSchemas });
    const input = driver.input<Reading>('readings');
    await input.sendAll([r('a', 100), r('b', 200), r('c', 300), r('d', 400), r('e', 500), r('a', 600), r('d', 700)]);
    const rows = await driver.table<Row>('t').rows();
    expect(rows.map((row) => [row.sensor, row.window_start, row.n])).toEqual([
      ['a', 0, 2],
      ['b', 0, 1],
      ['c', 0, 1],
    ]);
    const dead = await driver.deadLetters('dlq').records();
    expect(dead.map((d) => [d.reason, d.step, d.key?.toString()])).toEqual([
      ['state-full', 'w', 'd'],
      ['state-full', 'w', 'e'],
      ['state-full', 'w', 'd'],
    ]);
    expect(dead[0]!.message).toContain('maxOpenWindows 3');
    expect(driver.counters.stateOverflow).toEqual({ w: 3 });
    // Nothing lost silently: every record is in the table or in the DLQ.
    const counted = rows.reduce((n, row) => n + row.n, 0);
    expect(counted + dead.length).toBe(7);
    expect(driver.counters.late).toBe(0);
    expect(driver.counters.dropped).toBe(0);
  });

  test('reading the source partition, windows its watermark closed take no budget: a new minute opens while the old windows close', async () => {
    const t = topology('budget-by-key')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupByKey('g', { as: 'sensor' })
      .window('w', tumbling(1000), { grace: 0, emit: 'final', maxOpenWindows: 2 })
      .aggregate('a', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas });
    // One batch: the record at 1000 closes [0, 1000) for a and b (grace 0) before it needs its own window.
    await driver.input<Reading>('readings').sendAll([r('a', 100), r('b', 200), r('c', 1_000), r('d', 1_100), r('e', 1_200)]);
    expect((await driver.table<Row>('t').rows()).map((row) => [row.sensor, row.window_start, row.n])).toEqual([
      ['a', 0, 1],
      ['b', 0, 1],
    ]);
    await driver.input<Reading>('readings').send(r('c', 2_000).value, { key: 'c' });
    expect((await driver.table<Row>('t').rows()).map((row) => [row.sensor, row.window_start, row.n])).toEqual([
      ['a', 0, 1],
      ['b', 0, 1],
      ['c', 1_000, 1],
      ['d', 1_000, 1],
    ]);
    expect((await driver.deadLetters('dlq').records()).map((d) => [d.reason, d.key?.toString()])).toEqual([['state-full', 'e']]);
    expect(driver.counters.stateOverflow).toEqual({ w: 1 });
  });

  test('hopping: a record is applied to all its windows or refused as a whole', async () => {
    const driver = new TopologyTestDriver(budgeted(hopping(1000, 500), 3), { schemas: readingSchemas });
    // a opens [-500, 500) and [0, 1000); b would open two more, one past the budget of 3.
    await driver.input<Reading>('readings').sendAll([r('a', 100), r('b', 200), r('a', 300)]);
    const rows = await driver.table<Row>('t').rows();
    expect(rows.map((row) => [row.sensor, row.window_start, row.n])).toEqual([
      ['a', -500, 2],
      ['a', 0, 2],
    ]);
    expect((await driver.deadLetters('dlq').records()).map((d) => [d.reason, d.key?.toString()])).toEqual([['state-full', 'b']]);
  });

  test('session windows: a record that would start a session past the budget is refused; one that joins a session is not', async () => {
    const driver = new TopologyTestDriver(budgeted(session(1000), 2), { schemas: readingSchemas });
    await driver.input<Reading>('readings').sendAll([r('a', 100), r('b', 200), r('c', 300), r('a', 900)]);
    const rows = await driver.table<Row>('t').rows();
    expect(rows.map((row) => [row.sensor, row.n])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect((await driver.deadLetters('dlq').records()).map((d) => [d.reason, d.key?.toString()])).toEqual([['state-full', 'c']]);
    expect(driver.counters.stateOverflow).toEqual({ w: 1 });
  });

  test('the driver (and sluice run) default applies to steps without their own budget; a step\'s own wins', async () => {
    const driver = new TopologyTestDriver(budgeted(tumbling(1000), null), { schemas: readingSchemas, maxOpenWindows: 1 });
    await driver.input<Reading>('readings').sendAll([r('a', 100), r('b', 200)]);
    expect(driver.counters.stateOverflow).toEqual({ w: 1 });
    const own = plan(budgeted(tumbling(1000), 5), { maxOpenWindows: 1 });
    const window = own.subTopologies[1]!.sources[0]!.next[0]!;
    expect(window.kind === 'WindowNode' && window.maxOpenWindows).toBe(5);
    expect(describePlan(own)).toContain('at most 5 open windows per task');
    // Without a budget anywhere, no bound and nothing in the plan.
    const none = plan(budgeted(tumbling(1000), null)).subTopologies[1]!.sources[0]!.next[0]!;
    expect(none.kind === 'WindowNode' && 'maxOpenWindows' in none).toBe(false);
  });

  test('a bad budget, or one without a dead-letter topic, fails at load', () => {
    expect(() => plan(budgeted(tumbling(1000), 0))).toThrow(TopologyDefinitionError);
    expect(() => plan(budgeted(tumbling(1000), 1.5))).toThrow(/maxOpenWindows must be a positive whole number/);
    const noDlq = topology('no-dlq')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .groupBy('g', 'sensor')
      .window('w', tumbling(1000), { late: 'drop', maxOpenWindows: 10 })
      .aggregate('a', { n: count() })
      .toTable('t');
    expect(() => plan(noDlq)).toThrow(/state-full/);
    expect(() => plan(budgeted(tumbling(1000), null), { maxOpenWindows: -1 })).toThrow(/maxOpenWindows/);
  });
});

describe('sluice run --max-open-windows', () => {
  test('a positive whole number, or none for no bound; anything else says what it wants', async () => {
    const { parseMaxOpenWindows, DEFAULT_MAX_OPEN_WINDOWS } = await import('../../../src/cli/commands/run-command.js');
    expect(DEFAULT_MAX_OPEN_WINDOWS).toBe(1_000_000);
    expect(parseMaxOpenWindows('2000000')).toBe(2_000_000);
    expect(parseMaxOpenWindows('2_000_000')).toBe(2_000_000);
    expect(parseMaxOpenWindows('none')).toBeUndefined();
    expect(() => parseMaxOpenWindows('0')).toThrow(/--max-open-windows must be a positive whole number of windows or "none", got "0"/);
    expect(() => parseMaxOpenWindows('lots')).toThrow(/--max-open-windows/);
  });
});
