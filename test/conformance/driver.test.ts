import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { allCases } from './all-cases.js';
import type { ConformanceCase } from './conformance-case.js';

/** Runs one case on the in-memory driver and checks its expectations. */
async function runCase(c: ConformanceCase): Promise<void> {
  const driver = new TopologyTestDriver(c.topology, { schemas: c.schemas, partitions: c.partitions ?? 1 });
  for (const step of c.steps) {
    if ('send' in step) await driver.input(step.send).sendAll(step.records.map((rec) => ({ ...rec })));
    else if ('sendRaw' in step) await driver.input(step.sendRaw).sendRaw(step.value, step.key === undefined ? {} : { key: step.key });
    else await driver.advanceWallClock(step.advanceWallClock);
  }
  for (const [topic, rows] of Object.entries(c.expect.tables ?? {})) {
    expect(await driver.table(topic).rows(), `table ${topic}`).toMatchObject(rows);
  }
  for (const [topic, values] of Object.entries(c.expect.outputs ?? {})) {
    expect(await driver.output(topic).values(), `output ${topic}`).toEqual(values);
  }
  for (const [topic, letters] of Object.entries(c.expect.deadLetters ?? {})) {
    expect(await driver.deadLetters(topic).records(), `dead letters ${topic}`).toMatchObject(letters);
  }
  if (c.expect.late !== undefined) expect(driver.counters.late, 'late records').toBe(c.expect.late);
}

describe('conformance cases on the TopologyTestDriver', () => {
  test.each(allCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runCase(c);
  });
});
