import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventsPipelineOracle } from '../../../workloads/events-pipeline.js';
import { KafkaAdmin } from '../../../src/kafka/kafka-admin.js';
import { eventually } from '../../support/kafka-test-kit.js';
import { close, generateWithOracle, readDeadLetters, useTopologyRun } from '../../support/topology-e2e.js';

const stack = inject('stack');
const TOPOLOGY = 'events-pipeline';
// 500 records at the generator's default 20 records per second of event time (±2 s jitter), produced
// before the topology starts. Late copies are 180 s older than an event of the same user (so of the same
// source partition) produced before them: late by the README's rule whatever the interleaving. A backlog
// of any span counts no valid event late (events-pipeline-busy-backlog.test.ts runs 90,000).
const GENERATE = ['--count', '500', '--seed', '1001', '--invalid-ratio', '0.06', '--late-ratio', '0.02'];
const WAIT_MS = 120_000;
const ms = (column: string, as: string): string => `(extract(epoch from ${column}) * 1000)::bigint::text as ${as}`;

describe('events-pipeline end to end (sluice generate → sluice run → PostgreSQL)', () => {
  let oracle: EventsPipelineOracle;
  let db: pg.Client;

  const run = useTopologyRun(stack, [TOPOLOGY], (env) => generateWithOracle<EventsPipelineOracle>(TOPOLOGY, GENERATE, env));
  beforeAll(() => {
    ({ oracle, db } = run);
  });

  it('the oracle is not trivial (every reason, late events, purchases, several minutes)', () => {
    expect(new Set(oracle.deadLetters.messages.map((m) => m.split(' ')[0]))).toEqual(new Set(['unknown', 'user_id', 'purchase']));
    expect(oracle.deadLetters.late).toBeGreaterThan(0);
    expect(oracle.dlqRows.length).toBe(oracle.deadLetters.invalid + oracle.deadLetters.late);
    expect(new Set(oracle.dlqRows.map((r) => r.step))).toEqual(new Set(['known-type', 'has-user', 'priced-purchase', 'minute']));
    expect(oracle.rawEvents.some((e) => e.amount !== null)).toBe(true);
    expect(new Set(oracle.perMinute.map((m) => m.window_start)).size).toBeGreaterThanOrEqual(1);
  });

  it('raw_events holds every valid and late event once (amounts within 1e-9)', async () => {
    const expected = new Map(oracle.rawEvents.map((e) => [e.event_id, e]));
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<{ event_id: string; event_type: string; user_id: string; session_id: string; amount: number | null; t: string }>(
        `select event_id::text, event_type, user_id, session_id, amount, ${ms('timestamp', 't')} from raw_events`,
      );
      const problems: string[] = [];
      if (rows.length !== expected.size) problems.push(`${rows.length} rows, expected ${expected.size}`);
      for (const r of rows) {
        const e = expected.get(r.event_id);
        const same =
          e !== undefined && e.event_type === r.event_type && e.user_id === r.user_id && e.session_id === r.session_id && e.timestamp === Number(r.t) &&
          (e.amount === null ? r.amount === null : r.amount !== null && close(r.amount, e.amount, 1e-9));
        if (!same) problems.push(`${JSON.stringify(r)} vs ${JSON.stringify(e)}`);
      }
      return problems.length === 0 ? undefined : problems.slice(0, 5).join('\n');
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
  });

  it('agg_events_minute counts valid events per minute and type', async () => {
    const expected = oracle.perMinute.map((m) => [m.event_type, m.window_start, m.window_end, m.events].join('|')).sort();
    let actual: string[] = [];
    const mismatch = await eventually(async () => {
      const { rows } = await db.query<Record<string, string>>(`select event_type, ${ms('window_start', 'ws')}, ${ms('window_end', 'we')}, events::text from agg_events_minute`);
      actual = rows.map((r) => [r.event_type, r.ws, r.we, r.events].join('|')).sort();
      const total = rows.reduce((s, r) => s + Number(r.events), 0);
      const want = oracle.perMinute.reduce((s, m) => s + m.events, 0);
      return actual.length === expected.length && total === want ? undefined : `${actual.length} rows / ${total} events, expected ${expected.length} / ${want}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(actual).toEqual(expected);
  });

  it('events_dlq (1 partition) holds the invalid events with their reasons and the late ones as late', async () => {
    const want = oracle.deadLetters.invalid + oracle.deadLetters.late;
    let summary = await readDeadLetters(stack.kafkaBootstrapServers, 'events_dlq');
    const mismatch = await eventually(async () => {
      summary = await readDeadLetters(stack.kafkaBootstrapServers, 'events_dlq');
      return summary.total >= want ? undefined : `${summary.total} dead letters, expected ${want}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      expect((await admin.partitionCounts(['events_dlq'])).get('events_dlq')).toBe(1);
    } finally {
      admin.close();
    }
    expect(summary).toEqual({ total: want, invalid: oracle.deadLetters.invalid, late: oracle.deadLetters.late, other: [], messages: [...oracle.deadLetters.messages].sort() });
  });

  it('dlq_events holds one row per dead letter: the oracle\'s events, reasons, steps, messages and timestamps, the payload as JSON', async () => {
    const want = oracle.dlqRows.length;
    let rows: { event_id: string | null; source_topic: string; reason: string; step: string; message: string; st: string; raw: number; fa_ok: boolean }[] = [];
    const mismatch = await eventually(async () => {
      ({ rows } = await db.query(
        `select payload_json->>'event_id' as event_id, source_topic, reason, step, message, ${ms('source_timestamp', 'st')},
                length(payload) as raw, failed_at >= source_timestamp as fa_ok
         from dlq_events order by payload_json->>'event_id' collate "C"`,
      ));
      return rows.length >= want ? undefined : `${rows.length} rows, expected ${want}`;
    }, WAIT_MS, 1_000);
    expect(mismatch).toBeUndefined();
    expect(rows.length).toBe(want);
    expect(rows.map((r) => [r.event_id, r.source_topic, r.reason, r.step, Number(r.st)])).toEqual(oracle.dlqRows.map((e) => [e.event_id, 'events', e.reason, e.step, e.timestamp]));
    const messages = rows.filter((r, i) => !r.message.startsWith(oracle.dlqRows[i]!.message));
    expect(messages).toEqual([]);
    expect(rows.every((r) => r.raw > 5 && r.fa_ok)).toBe(true);
    const byReason = await db.query<{ reason: string; n: string }>('select reason, count(*)::text as n from dlq_events group by reason order by reason');
    expect(byReason.rows).toEqual([
      { reason: 'invalid', n: String(oracle.deadLetters.invalid) },
      { reason: 'late', n: String(oracle.deadLetters.late) },
    ]);
  });
});
