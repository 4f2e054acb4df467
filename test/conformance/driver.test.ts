import { TopologyTestDriver } from 'sluice/testing';
import { describe, test } from 'vitest';
import { allCases } from './all-cases.js';
import { framedBody, type ConformanceCase } from './conformance-case.js';
import { expectCaseOutcome } from './expect-case-outcome.js';

/** Runs one case on the in-memory driver and checks its expectations. */
async function runCase(c: ConformanceCase): Promise<void> {
  const driver = new TopologyTestDriver(c.topology, { schemas: c.schemas, partitions: c.partitions ?? 1 });
  for (const step of c.steps) {
    if ('send' in step) await driver.input(step.send).sendAll(step.records.map((rec) => ({ ...rec })));
    else if ('sendRaw' in step) await driver.input(step.sendRaw).sendRaw(step.value, step.key === undefined ? {} : { key: step.key });
    else if ('sendFramed' in step) {
      const id = await (await driver.codec(step.sendFramed, 'value')).registerWriter();
      for (const b of step.bodies) await driver.input(step.sendFramed).sendRaw(framedBody(id, b.body), b.key === undefined ? {} : { key: b.key });
    }
    else await driver.advanceWallClock(step.advanceWallClock);
  }
  await expectCaseOutcome(c, {
    tableRows: (topic) => driver.table(topic).rows(),
    outputValues: (topic) => driver.output(topic).values(),
    deadLetters: (topic) => driver.deadLetters(topic).records(),
    late: () => driver.counters.late,
  });
}

describe('conformance cases on the TopologyTestDriver', () => {
  test.each(allCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runCase(c);
  });
});
