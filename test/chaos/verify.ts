/**
 * Compares what the run wrote — PostgreSQL tables, the table topic, the
 * dead-letter and stream topics, read back read_committed — with the
 * oracle's expectation. No import from src/.
 */
import type pg from 'pg';
import { countKey, type Expectation, type ExpectedDeadLetter } from './oracle.js';
import { readTopicBack, type ReadRecord, type RegistrySchemas } from './read-back.js';

/** One output compared with the oracle. */
export interface OutputDiff {
  readonly output: string;
  readonly expected: number;
  readonly actual: number;
  /** Expected items (or counted events) missing. */
  readonly lost: number;
  /** Items present more than once (or events counted more than once). */
  readonly duplicated: number;
  /** Items the oracle does not expect at all. */
  readonly unexpected: number;
  /** Items present once but with other contents (reason, step, message, fields). */
  readonly mismatched: number;
  readonly examples: readonly string[];
}

export interface Verdict {
  readonly ok: boolean;
  readonly diffs: readonly OutputDiff[];
  /** Dead letters per reason: expected and actual on the DLQ topic. */
  readonly reasons: Readonly<Record<string, { expected: number; actual: number }>>;
  /** Things that prevent a clean reading (open transactions at read time). */
  readonly notes: readonly string[];
  /** Odd but not counted as wrong. */
  readonly observations: readonly string[];
}

export interface OutputNames {
  readonly dlq: string;
  readonly valid: string;
  readonly table: string;
  /** Dead-letter topics of the sinks (`<app>.<sink>.dlq`): refused rows; must stay empty. */
  readonly sinkDlqs: readonly string[];
}

const MAX_EXAMPLES = 6;

class Tally {
  lost = 0;
  duplicated = 0;
  unexpected = 0;
  mismatched = 0;
  actual = 0;
  readonly examples: string[] = [];
  constructor(readonly output: string, readonly expected: number) {}
  note(kind: 'lost' | 'duplicated' | 'unexpected' | 'mismatched', by: number, example: string): void {
    this[kind] += by;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(`${kind}: ${example}`);
  }
  done(): OutputDiff {
    const { output, expected, actual, lost, duplicated, unexpected, mismatched, examples } = this;
    return { output, expected, actual, lost, duplicated, unexpected, mismatched, examples };
  }
}

const clean = (d: OutputDiff): boolean => d.lost === 0 && d.duplicated === 0 && d.unexpected === 0 && d.mismatched === 0 && d.expected === d.actual;
const closeTo = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const ms = (column: string, as: string): string => `(extract(epoch from ${column}) * 1000)::bigint::text as ${as}`;

/** Reads every output and compares; `ok` when every diff is empty. */
export async function verify(
  expectation: Expectation,
  names: OutputNames,
  db: pg.Client,
  bootstrapServers: string,
  registry: RegistrySchemas,
  source: readonly ReadRecord[],
): Promise<Verdict> {
  // A dead letter carries its source record as it was: key, value and timestamp.
  const original = new Map(source.map((r) => [`${r.partition}@${r.offset}`, r]));
  const notes: string[] = [];
  const observations: string[] = [];
  const diffs: OutputDiff[] = [];
  diffs.push(await rawEvents(expectation, db));
  const valid = await readTopicBack(bootstrapServers, names.valid);
  if (valid.openTransactionOffsets > 0) notes.push(`${names.valid}: ${valid.openTransactionOffsets} offsets in open transactions`);
  diffs.push(await validTopic(expectation, valid.records.map((r) => r.value), registry, names.valid));
  const dlq = await readTopicBack(bootstrapServers, names.dlq);
  if (dlq.openTransactionOffsets > 0) notes.push(`${names.dlq}: ${dlq.openTransactionOffsets} offsets in open transactions`);
  const fromTopic = dlq.records.map((r) => ({
    partition: Number(r.headers.get('sluice.source.partition')),
    offset: Number(r.headers.get('sluice.source.offset')),
    step: r.headers.get('sluice.error.step') ?? '?',
    reason: r.headers.get('sluice.error.reason') ?? '?',
    message: r.headers.get('sluice.error.message') ?? '',
    key: r.key,
    payload: r.value,
    sourceTimestamp: Number(r.headers.get('sluice.source.timestamp')),
  }));
  diffs.push(deadLetters(`${names.dlq} (topic)`, expectation.deadLetters, fromTopic, original, observations));
  const { rows: dlqRows } = await db.query<{ source_partition: number; source_offset: string; step: string; reason: string; message: string; key: Buffer | null; payload: Buffer | null; st: string | null }>(
    `select source_partition, source_offset::text, step, reason, message, key, payload, ${ms('source_timestamp', 'st')} from dlq_events`,
  );
  diffs.push(
    deadLetters(
      'dlq_events (table)',
      expectation.deadLetters,
      dlqRows.map((r) => ({ partition: r.source_partition, offset: Number(r.source_offset), step: r.step, reason: r.reason, message: r.message, key: r.key, payload: r.payload, sourceTimestamp: Number(r.st) })),
      original,
      observations,
    ),
  );
  const table = await readTopicBack(bootstrapServers, names.table);
  if (table.openTransactionOffsets > 0) notes.push(`${names.table}: ${table.openTransactionOffsets} offsets in open transactions`);
  const latest = new Map<string, Buffer | null>();
  for (const r of table.records) latest.set(r.key === null ? '' : r.key.toString('hex'), r.value);
  const tableCounts: { event_type: string; window_start: number; window_end: number; events: number }[] = [];
  for (const value of latest.values()) {
    if (value === null) continue;
    const v = await registry.decodeOutput(value, names.table);
    tableCounts.push({ event_type: String(v.event_type), window_start: Number(v.window_start), window_end: Number(v.window_end), events: Number(v.events) });
  }
  diffs.push(counts(`${names.table} (table topic, latest per key)`, expectation, tableCounts));
  const { rows: aggRows } = await db.query<{ event_type: string; ws: string; we: string; events: string }>(
    `select event_type, ${ms('window_start', 'ws')}, ${ms('window_end', 'we')}, events::text from agg_events_minute`,
  );
  diffs.push(counts('agg_events_minute (table)', expectation, aggRows.map((r) => ({ event_type: r.event_type, window_start: Number(r.ws), window_end: Number(r.we), events: Number(r.events) }))));
  for (const topic of names.sinkDlqs) {
    const refused = await readTopicBack(bootstrapServers, topic);
    const t = new Tally(`${topic} (sink refusals)`, 0);
    t.actual = refused.records.length;
    for (const r of refused.records) t.note('unexpected', 1, `${r.headers.get('sluice.error.reason')}: ${r.headers.get('sluice.error.message')}`);
    diffs.push(t.done());
  }
  const reasons: Record<string, { expected: number; actual: number }> = {};
  for (const d of expectation.deadLetters) (reasons[d.reason] ??= { expected: 0, actual: 0 }).expected += 1;
  for (const d of fromTopic) (reasons[d.reason] ??= { expected: 0, actual: 0 }).actual += 1;
  return { ok: diffs.every(clean) && notes.length === 0, diffs, reasons, notes, observations };
}

async function rawEvents(expectation: Expectation, db: pg.Client): Promise<OutputDiff> {
  const { rows } = await db.query<{ event_id: string; event_type: string; user_id: string; session_id: string; amount: number | null; t: string }>(
    `select event_id::text, event_type, user_id, session_id, amount, ${ms('timestamp', 't')} from raw_events`,
  );
  const t = new Tally('raw_events (table)', expectation.valid.size);
  t.actual = rows.length;
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.event_id);
    const e = expectation.valid.get(r.event_id);
    if (e === undefined) {
      t.note('unexpected', 1, r.event_id);
      continue;
    }
    const same = e.event_type === r.event_type && e.user_id === r.user_id && e.session_id === r.session_id && e.timestamp === Number(r.t) &&
      (e.amount === null ? r.amount === null : r.amount !== null && closeTo(Number(r.amount), e.amount));
    if (!same) t.note('mismatched', 1, `${JSON.stringify(r)} vs ${JSON.stringify(e)}`);
  }
  for (const [id, e] of expectation.valid) if (!seen.has(id)) t.note('lost', 1, `${id} (source ${e.partition}@${e.offset}, ${e.event_type} at ${e.timestamp})`);
  return t.done();
}

async function validTopic(expectation: Expectation, values: readonly (Buffer | null)[], registry: RegistrySchemas, topic: string): Promise<OutputDiff> {
  const t = new Tally(`${topic} (stream topic)`, expectation.valid.size);
  t.actual = values.length;
  const seen = new Map<string, number>();
  for (const value of values) {
    if (value === null) {
      t.note('unexpected', 1, 'a null value');
      continue;
    }
    const v = await registry.decodeOutput(value, topic);
    const id = String(v.event_id);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const e = expectation.valid.get(id);
    if (e === undefined) t.note('unexpected', 1, id);
    else if (seen.get(id) === 1 && !(e.event_type === v.event_type && e.user_id === v.user_id && e.timestamp === Number(v.timestamp))) {
      t.note('mismatched', 1, `${JSON.stringify(v)} vs ${JSON.stringify(e)}`);
    }
  }
  for (const [id, n] of seen) if (n > 1 && expectation.valid.has(id)) t.note('duplicated', n - 1, `${id} ×${n}`);
  for (const [id, e] of expectation.valid) if (!seen.has(id)) t.note('lost', 1, `${id} (source ${e.partition}@${e.offset})`);
  return t.done();
}

interface ActualDeadLetter {
  readonly partition: number;
  readonly offset: number;
  readonly step: string;
  readonly reason: string;
  readonly message: string;
  readonly key: Buffer | null;
  readonly payload: Buffer | null;
  readonly sourceTimestamp: number;
}

function deadLetters(
  output: string,
  expected: readonly ExpectedDeadLetter[],
  actual: readonly ActualDeadLetter[],
  original: ReadonlyMap<string, ReadRecord>,
  observations: string[],
): OutputDiff {
  const t = new Tally(output, expected.length);
  const rekeyed: string[] = [];
  t.actual = actual.length;
  const want = new Map(expected.map((d) => [`${d.partition}@${d.offset}/${d.step}`, d]));
  const seen = new Map<string, number>();
  for (const a of actual) {
    const id = `${a.partition}@${a.offset}/${a.step}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (seen.get(id)! > 1) continue;
    const e = want.get(id);
    if (e === undefined) {
      t.note('unexpected', 1, `${id} ${a.reason}: ${a.message}`);
      continue;
    }
    if (e.reason !== a.reason || (e.message !== undefined && e.message !== a.message)) {
      t.note('mismatched', 1, `${id}: ${a.reason} "${a.message}", expected ${e.reason}${e.message === undefined ? '' : ` "${e.message}"`}`);
      continue;
    }
    const o = original.get(`${a.partition}@${a.offset}`);
    if (o === undefined) continue;
    const same = (x: Buffer | null, y: Buffer | null): boolean => (x === null || x.length === 0 ? y === null || y.length === 0 : y !== null && x.equals(y));
    const differ = [!same(o.value, a.payload) && 'payload', o.timestamp !== a.sourceTimestamp && 'source timestamp'].filter(Boolean);
    if (differ.length > 0) t.note('mismatched', 1, `${id}: ${differ.join(' and ')} differ from the source record's`);
    else if (!same(o.key, a.key)) {
      // README: a dead letter keeps its original key. A late record is dead-lettered after the groupBy,
      // with the group key: reported once per output as an observation, not counted as a failure.
      rekeyed.push(`${id}: key "${a.key?.toString() ?? ''}", the source record's "${o.key?.toString() ?? ''}"`);
    }
  }
  for (const [id, n] of seen) if (n > 1) t.note('duplicated', n - 1, `${id} ×${n}`);
  for (const [id, e] of want) if (!seen.has(id)) t.note('lost', 1, `${id} ${e.reason}${e.eventId === undefined ? '' : ` (${e.eventId})`}`);
  if (rekeyed.length > 0) observations.push(`${output}: ${rekeyed.length} dead letter(s) without their source record's key, e.g. ${rekeyed[0]}`);
  return t.done();
}

function counts(output: string, expectation: Expectation, rows: readonly { event_type: string; window_start: number; window_end: number; events: number }[]): OutputDiff {
  const expectedEvents = [...expectation.counts.values()].reduce((s, c) => s + c.events, 0);
  const t = new Tally(output, expectedEvents);
  t.actual = rows.reduce((s, r) => s + r.events, 0);
  const seen = new Set<string>();
  for (const r of rows) {
    const key = countKey(r.event_type, r.window_start);
    if (seen.has(key)) {
      t.note('duplicated', r.events, `a second row for ${key}`);
      continue;
    }
    seen.add(key);
    const e = expectation.counts.get(key);
    if (e === undefined) {
      t.note('unexpected', r.events, `${key} = ${r.events}`);
      continue;
    }
    if (r.window_end !== e.window_end) t.note('mismatched', 1, `${key} window_end ${r.window_end}, expected ${e.window_end}`);
    if (r.events < e.events) t.note('lost', e.events - r.events, `${key}: ${r.events}, expected ${e.events}`);
    if (r.events > e.events) t.note('duplicated', r.events - e.events, `${key}: ${r.events}, expected ${e.events}`);
  }
  for (const [key, e] of expectation.counts) if (!seen.has(key)) t.note('lost', e.events, `${key}: no row, expected ${e.events}`);
  return t.done();
}
