import { expect } from 'vitest';
import type { ConformanceCase } from './conformance-case.js';

/**
 * What a runtime shows after running a case: the ways each runner reads its
 * tables, outputs, dead letters and late count, behind one shape.
 */
export interface CaseOutcome {
  /** The latest row per (key, window) of a table topic, sorted by key then window start. */
  tableRows(topic: string): Promise<readonly unknown[]>;
  /** The values written to an output topic, in write order. */
  outputValues(topic: string): Promise<readonly unknown[]>;
  /** The dead-letter records of a topic, in write order. */
  deadLetters(topic: string): Promise<readonly unknown[]>;
  /** Late records counted (dead-lettered or dropped). */
  late(): number;
}

/**
 * Checks a case's expectations against what a runtime shows, with the same
 * matchers on every runtime: table rows and dead letters as subsets
 * (`toMatchObject`), outputs exactly, the late count when the case gives one.
 *
 * @example
 * ```ts
 * await expectCaseOutcome(c, { tableRows: (t) => driver.table(t).rows(), outputValues: (t) => driver.output(t).values(),
 *   deadLetters: (t) => driver.deadLetters(t).records(), late: () => driver.counters.late });
 * ```
 */
export async function expectCaseOutcome(c: ConformanceCase, outcome: CaseOutcome): Promise<void> {
  for (const [topic, rows] of Object.entries(c.expect.tables ?? {})) {
    expect(await outcome.tableRows(topic), `table ${topic}`).toMatchObject(rows);
  }
  for (const [topic, values] of Object.entries(c.expect.outputs ?? {})) {
    expect(await outcome.outputValues(topic), `output ${topic}`).toEqual(values);
  }
  for (const [topic, letters] of Object.entries(c.expect.deadLetters ?? {})) {
    expect(await outcome.deadLetters(topic), `dead letters ${topic}`).toMatchObject(letters);
  }
  if (c.expect.late !== undefined) expect(outcome.late(), 'late records').toBe(c.expect.late);
}
