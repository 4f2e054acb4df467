import { describe, expect, inject, onTestFinished, test } from 'vitest';
import { allCases } from '../../conformance/all-cases.js';
import type { ConformanceCase } from '../../conformance/conformance-case.js';
import { expectCaseOutcome } from '../../conformance/expect-case-outcome.js';
import { KafkaCaseRun, type CaseTransport } from '../../support/kafka-case-run.js';

const stack = inject('stack');

/**
 * Runs one case on the real Kafka runtime (librdkafka, transactions, the
 * registry) and checks its expectations with `expectCaseOutcome`, as
 * `test/conformance/driver.test.ts` does on the in-memory driver.
 */
async function runCase(c: ConformanceCase, via: CaseTransport): Promise<void> {
  const run = await KafkaCaseRun.start(c, stack, via);
  let passed = false;
  onTestFinished(async ({ task }) => {
    // A failed case keeps its topics for a look with kafka-console-consumer; the runner's log explains the rest.
    if (task.result?.state === 'fail') {
      console.error(`runner of "${c.name}" (topology ${run.plan.topology}): ${JSON.stringify(run.stats)}\n  ${run.logs.join('\n  ')}`);
    }
    await run.stop({ deleteTopics: passed });
  });
  for (const step of c.steps) await run.step(step);

  // The driver partitions keys with murmur2; so must the producer here, or the cases test something else.
  expect(await run.misplacedSourceRecords(), 'source records on a partition other than murmur2 picks').toEqual([]);
  await expectCaseOutcome(c, {
    tableRows: (topic) => run.tableRows(topic),
    outputValues: (topic) => run.outputValues(topic),
    deadLetters: (topic) => run.deadLetters(topic),
    late: () => run.late,
  });
  passed = true;
}

describe('conformance cases on the Kafka runtime (TopologyRunner, in-process)', () => {
  test.each(allCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runCase(c, 'direct');
  });
});

// What `sluice run` does between its processing thread and the Kafka thread, on every case.
describe('conformance cases on the Kafka runtime through the relayed transport', () => {
  test.each(allCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runCase(c, 'relayed');
  });
});
