import { describe as describePlan, plan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { take } from '../../../src/cli/generators/event-generator.js';
import { eventsPipelineWorkload as workload } from '../../../workloads/events-pipeline.js';
import eventsPipeline from '../../../topologies/events-pipeline.js';
import type { AppEvent } from '../../../topologies/types/schemas.js';
import { driverFor, expectRows, feed, OPTIONS, summarise } from './support/workload-driver.js';

const records = take(workload.records(OPTIONS), 3_000);
const oracle = workload.oracle(records);

describe('events-pipeline on the test driver', () => {
  test('the workload is a funnel of typed events with invalid and late ones', () => {
    const valid = records.filter((r) => r.kind === 'valid').map((r) => r.value);
    const share = (type: string): number => valid.filter((e) => e.event_type === type).length / valid.length;
    expect(share('page_view')).toBeGreaterThan(share('click'));
    expect(share('click')).toBeGreaterThan(share('purchase'));
    expect(valid.filter((e) => e.event_type === 'purchase').every((e) => e.amount !== null && e.amount > 0)).toBe(true);
    expect(new Set(valid.map((e) => e.event_id)).size).toBe(valid.length);
    expect(new Set(oracle.deadLetters.messages)).toEqual(
      new Set(['user_id is missing', 'purchase without a positive amount', ...oracle.deadLetters.messages.filter((m) => m.startsWith('unknown event_type'))]),
    );
  });

  test('minute counts per type, raw events and the DLQ with reasons match the oracle', async () => {
    const driver = driverFor(eventsPipeline, workload);
    await feed(driver, records);
    expectRows(await driver.table('events.per-minute').rows(), oracle.perMinute, ['event_type', 'window_start']);
    const raw = await driver.output<AppEvent>('events.valid').values();
    expect(raw.map((e) => e.event_id).sort()).toEqual(oracle.rawEvents.map((e) => e.event_id).sort());
    const deadLetters = await driver.deadLetters('events_dlq').records();
    expect(summarise(deadLetters)).toEqual({ ...oracle.deadLetters, other: [] });
    // The dlq_events oracle: one row per dead letter, each rejected by the step the oracle names.
    expect(oracle.dlqRows.map((r) => `${r.reason}/${r.step}/${r.message}`).sort()).toEqual(
      deadLetters.map((d) => `${d.reason}/${d.step}/${d.reason === 'late' ? d.message.replace(/; watermark \d+$/, '') : d.message}`).sort(),
    );
  });

  test('undecodable bytes are dead-lettered too, not dropped', async () => {
    const driver = driverFor(eventsPipeline, workload);
    await driver.input('events').sendRaw(Buffer.from('{"event_type":"click"}'), { key: 'user_1' });
    expect((await driver.deadLetters('events_dlq').records()).map((d) => d.reason)).toEqual(['bad-magic']);
  });

  test('describe() explains it', () => {
    const text = describePlan(plan(eventsPipeline));
    expect(text).toContain('Validate: known-type (dead letter: events_dlq)');
    expect(text).toContain('raw-events-pg (postgres) <-- events.valid');
    expect(text).toContain('dlq-pg (postgres) <-- events_dlq');
  });
});
