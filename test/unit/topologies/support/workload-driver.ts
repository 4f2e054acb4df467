import type { Topology } from 'sluice';
import { TopologyTestDriver, type DeadLetter } from 'sluice/testing';
import { expect } from 'vitest';
import type { EventGenerator, GeneratedRecord, GeneratorOptions } from '../../../../src/cli/generators/event-generator.js';
import type { ExpectedDeadLetters } from '../../../../src/cli/generators/oracle-support.js';
import { examplesOnlyDir } from '../../../support/repo-examples.js';

/** The repository's example schemas (a copy of schemas/ without what a user added there), whatever the working directory. */
export const SCHEMA_DIR = examplesOnlyDir('schemas');

/** A fixed start (a minute boundary) so windows are the same on every run. */
export const START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

/** The options of the tests: 5 records per event-time second, 3 % invalid, 2 % late. */
export const OPTIONS: GeneratorOptions = { seed: 20260105, startMs: START_MS, eventsPerSecond: 5, invalidRatio: 0.03, lateRatio: 0.02 };

/** A driver for `topology` with the workload's source partition counts. */
export function driverFor(topology: Topology, workload: EventGenerator<unknown, unknown>): TopologyTestDriver {
  const topicPartitions = Object.fromEntries(workload.topics.map((t) => [t.name, t.partitions]));
  return new TopologyTestDriver(topology, { topicPartitions, schemaDir: SCHEMA_DIR });
}

/**
 * Sends the records as a live producer would: in small chunks in generation
 * order, each chunk processed before the next, so partitions advance
 * together (one huge batch would run partition 0 to the end before
 * partition 1 starts, and make everything after it late). A chunk must
 * span less event time than the windows' grace: records of different source
 * partitions meet in a repartition topic in processing order, not event-time order.
 */
export async function feed<V extends { readonly timestamp: number }>(
  driver: TopologyTestDriver,
  records: readonly GeneratedRecord<V>[],
  chunk = 40,
): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) {
    const slice = records.slice(i, i + chunk);
    for (const topic of new Set(slice.map((r) => r.topic))) {
      await driver
        .input<V>(topic)
        .sendAll(slice.filter((r) => r.topic === topic).map((r) => ({ value: r.value, key: r.key, timestamp: r.value.timestamp })));
    }
  }
}

/** Dead letters as the oracle summarises them. */
export function summarise(deadLetters: readonly DeadLetter[]): ExpectedDeadLetters & { readonly other: readonly string[] } {
  return {
    invalid: deadLetters.filter((d) => d.reason === 'invalid').length,
    late: deadLetters.filter((d) => d.reason === 'late').length,
    messages: deadLetters.filter((d) => d.reason === 'invalid').map((d) => d.message).sort(),
    other: deadLetters.filter((d) => d.reason !== 'invalid' && d.reason !== 'late').map((d) => `${d.reason}: ${d.message}`),
  };
}

/**
 * Compares table rows with the oracle's: same keys (`keyFields`), integers
 * exactly, other numbers to 9 digits (sums added in another order), strings
 * exactly. State fields (`…__sum`) of the table values are ignored.
 */
export function expectRows<E extends object>(actual: readonly unknown[], expected: readonly E[], keyFields: readonly (keyof E & string)[]): void {
  const id = (row: unknown): string => keyFields.map((k) => String((row as Record<string, unknown>)[k])).join('|');
  expect(actual.map(id).sort()).toEqual(expected.map(id).sort());
  const byId = new Map(actual.map((row) => [id(row), row as Record<string, unknown>]));
  for (const want of expected) {
    const got = byId.get(id(want))!;
    for (const [field, value] of Object.entries(want)) {
      if (typeof value === 'number' && !Number.isInteger(value)) expect(got[field], `${id(want)} ${field}`).toBeCloseTo(value, 9);
      else expect(got[field], `${id(want)} ${field}`).toEqual(value);
    }
  }
}
