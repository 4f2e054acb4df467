import type { AggregateNode, TableSinkNode, WindowNode } from '../../plan/plan-node.js';
import type { AvroCodec } from '../../serde/index.js';
import {
  assignWindowsInto,
  SessionStore,
  WindowStore,
  type ClosedWindow,
  type MutableWindow,
  type RestoredWindow,
  type WindowedStore,
  type WindowEntry,
  type AnyAggregatorSpec,
} from '../../state/index.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import type { InputRecord } from '../records.js';
import type { Processor } from './processor.js';

/**
 * The codecs of the state topic (table or changelog) and of the table.
 *
 * @example
 * ```ts
 * const codecs: WindowCodecs = { tableKey, tableValue, stateKey: tableKey, stateValue: tableValue };
 * ```
 */
export interface WindowCodecs {
  readonly tableKey: AvroCodec<unknown>;
  readonly tableValue: AvroCodec<unknown>;
  readonly stateKey: AvroCodec<unknown>;
  readonly stateValue: AvroCodec<unknown>;
}

/**
 * Window + aggregate + table write of one task. `run` only queues the batch;
 * `apply` mutates the window store after every fallible step of the batch has
 * succeeded, so a batch that fails leaves the state untouched.
 *
 * Emits, per batch: `update` mode — one table record per changed (key,
 * window), the last value; `final` mode — changed windows to the changelog
 * and one table record per window that closed. Session merges emit
 * tombstones for the sessions merged away.
 *
 * @example
 * ```ts
 * const p = new WindowAggregateProcessor(windowNode, partition, codecs, code.aggregators(windowNode.next[0].name));
 * await p.run(envelopes, ctx); // queued
 * p.apply(ctx);                // state updated, outputs emitted
 * ```
 */
export class WindowAggregateProcessor implements Processor {
  readonly stateTopic: string;
  private readonly aggregate: AggregateNode;
  private readonly table: TableSinkNode;
  private readonly store: WindowedStore<unknown>;
  /** How a batch's records enter the store: per window kind, chosen with the store. */
  private readonly applyBatches: (batches: readonly (readonly Envelope[])[], ctx: BatchContext) => void;
  private readonly slots: MutableWindow[] = [];
  /** The state budget: windows (or sessions) kept open at most; Infinity without one. */
  private readonly maxOpen: number;
  private pending: (readonly Envelope[])[] = [];

  constructor(
    private readonly node: WindowNode,
    private readonly partition: number,
    private readonly codecs: WindowCodecs,
    aggregators: Readonly<Record<string, AnyAggregatorSpec<unknown>>>,
  ) {
    this.aggregate = node.next[0];
    this.table = this.aggregate.next[0];
    this.stateTopic = this.aggregate.changelogTopic ?? this.table.topic;
    this.maxOpen = node.maxOpenWindows ?? Number.POSITIVE_INFINITY;
    if (node.window.kind === 'session') {
      const sessions = new SessionStore(aggregators, { gapMs: node.window.gapMs, graceMs: node.graceMs });
      this.store = sessions;
      this.applyBatches = (batches, ctx) => this.applyToSessions(sessions, batches, ctx);
    } else {
      const windows = new WindowStore(aggregators);
      this.store = windows;
      this.applyBatches = (batches, ctx) => this.applyToWindows(windows, batches, ctx);
    }
  }

  /** Windows (or sessions) currently open in this task's store. */
  get openWindows(): number {
    return this.store.openWindowCount;
  }

  async run(envelopes: readonly Envelope[], _ctx: BatchContext): Promise<void> {
    this.pending.push(envelopes);
  }

  /** Applies the queued records to the store and emits what changed or closed. */
  apply(ctx: BatchContext): void {
    const batches = this.pending;
    this.pending = [];
    this.applyBatches(batches, ctx);
  }

  private applyToSessions(store: SessionStore<unknown>, batches: readonly (readonly Envelope[])[], ctx: BatchContext): void {
    const dirty = new Set<WindowEntry>();
    for (const envelopes of batches) for (const env of envelopes) this.addToSession(store, env, dirty, ctx);
    if (ctx.closeWatermark !== undefined) store.observe(ctx.closeWatermark, ctx.nowMs);
    for (const entry of dirty) {
      // Session entries merged away (tombstoned already) are no longer in the store.
      if (store.get(entry.groupKey, entry.window.start) !== entry) continue;
      this.emitState(entry.groupKey, entry.window.start, entry.window.end, entry.lastUpdated, entry.accumulators, ctx);
    }
    this.emitClosed(store.closeExpired(), ctx);
  }

  private applyToWindows(store: WindowStore<unknown>, batches: readonly (readonly Envelope[])[], ctx: BatchContext): void {
    // Slots of the windows changed in this batch, in first-change order (nothing closes before they are emitted).
    const dirty = new Set<number>();
    for (const envelopes of batches) for (const env of envelopes) this.addToWindows(store, env, dirty, ctx);
    // After a repartition, windows close where every upstream task has come (and only after the
    // batch: a record in it is judged by its own stamp, which that never passes).
    if (ctx.closeWatermark !== undefined) store.observe(ctx.closeWatermark, ctx.nowMs);
    for (const slot of dirty) this.emitSlot(store, slot, this.stateTopic, ctx);
    store.drainExpired(this.node.graceMs, this.closedSlotEmitter(store, ctx));
  }

  /** Closes windows of an idle partition on wall-clock time (the `idleClose` option). */
  punctuate(ctx: BatchContext): void {
    const idleMs = this.node.idleCloseMs;
    if (idleMs === undefined) return;
    // Rare (an idle partition): the snapshots closeIdle hands out cost nothing that matters here.
    this.emitClosed(this.store.closeIdle(ctx.nowMs, idleMs, this.node.graceMs), ctx);
  }

  /** Rebuilds the store from this task's partition of the state topic (records in offset order). */
  async restore(records: readonly InputRecord[], nowMs: number, closeWatermark?: number): Promise<number> {
    const { stateKey, stateValue } = this.codecs;
    await stateKey.prepare(records.map((r) => r.key));
    await stateValue.prepare(records.map((r) => r.value));
    const keyField = this.aggregate.keyField;
    const restored: RestoredWindow[] = [];
    for (const r of records) {
      const key = stateKey.decode(r.key);
      if (!key.ok) throw new Error(`cannot restore ${this.node.name} from ${r.topic}[${r.partition}]@${r.offset}: key ${key.message}`);
      const k = key.value as Record<string, unknown>;
      const start = Number(k['window_start']);
      let value: Record<string, unknown> | null = null;
      if (r.value !== null) {
        const decoded = stateValue.decode(r.value);
        if (!decoded.ok) throw new Error(`cannot restore ${this.node.name} from ${r.topic}[${r.partition}]@${r.offset}: ${decoded.message}`);
        value = decoded.value as Record<string, unknown>;
      }
      const end = value === null ? start : Number(value['window_end']);
      restored.push({ groupKey: String(k[keyField]), window: { start, end }, value, timestamp: r.timestamp });
    }
    // A kept close watermark is exact; without one, the highest restored event time stands in for it.
    const watermark = closeWatermark === undefined ? {} : { watermarkMs: closeWatermark, watermarkFromTimestamps: false };
    return this.store.restore(restored, { graceMs: this.node.graceMs, nowWallMs: nowMs, ...watermark });
  }

  /** A record an aggregator refuses (a fraction for a long sum) opens and updates no window, and moves no watermark. */
  private refused(env: Envelope, ctx: BatchContext): boolean {
    if (!this.store.aggregates.refuses) return false;
    const reason = this.store.aggregates.refusal(env.value);
    if (reason === undefined) return false;
    ctx.deadLetter(env.origin, this.node.deadLetter, 'invalid', this.aggregate.name, reason);
    return true;
  }

  private addToSession(store: SessionStore<unknown>, env: Envelope, dirty: Set<WindowEntry>, ctx: BatchContext): void {
    if (this.refused(env, ctx)) return;
    const groupKey = env.key === null ? '' : env.key.toString('utf8');
    const t = env.eventTime;
    // Reading a source topic, the task's own watermark is the highest event time seen (in offset
    // order); after a repartition each record is judged by the watermark its upstream task stamped
    // on it, so the order in which upstream tasks' records interleave changes nothing.
    const stamped = ctx.closeWatermark !== undefined;
    if (!stamped) store.observe(t, ctx.nowMs);
    const lateAgainst = stamped ? env.watermark : Number.NEGATIVE_INFINITY;
    if (store.openWindowCount >= this.maxOpen && store.wouldOpen(groupKey, t, lateAgainst)) {
      return this.overflow(env, ctx, `a new session of key "${groupKey}" at ${t}`);
    }
    const update = store.upsertSession(groupKey, t, env.value, lateAgainst);
    if (update === null) return this.late(env, ctx);
    for (const w of update.mergedAway) this.emitTombstone(this.stateTopic, groupKey, w.start, t, ctx);
    dirty.add(update.entry);
  }

  private addToWindows(store: WindowStore<unknown>, env: Envelope, dirty: Set<number>, ctx: BatchContext): void {
    if (this.refused(env, ctx)) return;
    const groupKey = env.key === null ? '' : env.key.toString('utf8');
    const t = env.eventTime;
    // As in addToSession: the task's own watermark, or the record's stamp after a repartition.
    const stamped = ctx.closeWatermark !== undefined;
    if (!stamped) store.observe(t, ctx.nowMs);
    const lateAgainst = stamped ? env.watermark : Number.NEGATIVE_INFINITY;
    const n = assignWindowsInto(this.node.window, t, this.slots);
    const grace = this.node.graceMs;
    if (this.maxOpen !== Number.POSITIVE_INFINITY) {
      // A record is applied to all its windows or to none: count the windows it would open first.
      let opens = 0;
      let first: MutableWindow | undefined;
      for (let i = 0; i < n; i++) {
        const w = this.slots[i]!;
        if (store.isLate(w, grace, lateAgainst) || store.has(groupKey, w.start)) continue;
        opens++;
        first ??= w;
      }
      // Windows the watermark has closed already leave at the end of the batch: they take no budget.
      if (opens > 0 && store.openWindowCount + opens > this.maxOpen && store.unexpiredWindowCount(grace) + opens > this.maxOpen) {
        return this.overflow(env, ctx, `${opens === 1 ? 'window' : `${opens} windows from`} [${first!.start}, ${first!.end}) of key "${groupKey}"`);
      }
    }
    let accepted = false;
    for (let i = 0; i < n; i++) {
      const w = this.slots[i]!;
      if (store.isLate(w, grace, lateAgainst)) continue;
      dirty.add(store.upsertSlot(groupKey, w, env.value, t));
      accepted = true;
    }
    if (!accepted) this.late(env, ctx);
  }

  /** The state budget is full: the record is dead-lettered as `state-full` (dropped without a DLQ), and counted per step. */
  private overflow(env: Envelope, ctx: BatchContext, opening: string): void {
    const perStep = (ctx.counters.stateOverflow ??= {});
    perStep[this.node.name] = (perStep[this.node.name] ?? 0) + 1;
    const message = `the step's state is full (maxOpenWindows ${this.maxOpen}, counting windows not closed yet); ${opening} would open past it`;
    ctx.deadLetter(env.origin, this.node.deadLetter, 'state-full', this.node.name, message);
  }

  private late(env: Envelope, ctx: BatchContext): void {
    ctx.counters.late++;
    if (this.node.late === 'drop') {
      ctx.counters.dropped++;
      return;
    }
    const watermark = Math.max(env.watermark, this.store.watermark);
    const message = `event time ${env.eventTime} is past its window's end + grace (${this.node.graceMs} ms); watermark ${watermark}`;
    ctx.deadLetter(env.origin, this.node.deadLetter, 'late', this.node.name, message);
  }

  private emitState(groupKey: string, start: number, end: number, lastUpdated: number, accumulators: readonly unknown[], ctx: BatchContext): void {
    const row = this.rowHead(groupKey, start, end);
    this.emitRow(this.stateTopic, groupKey, start, lastUpdated, this.store.aggregates.toTableValue(accumulators, row), ctx);
  }

  private emitSlot(store: WindowStore<unknown>, slot: number, topic: string, ctx: BatchContext): void {
    const groupKey = store.keyAt(slot);
    const start = store.startAt(slot);
    const row = store.tableValueAt(slot, this.rowHead(groupKey, start, store.endAt(slot)));
    this.emitRow(topic, groupKey, start, store.lastUpdatedAt(slot), row, ctx);
  }

  /** Emits a table or state record: the state codecs for the changelog (final mode), the table's otherwise. */
  private emitRow(topic: string, groupKey: string, start: number, timestamp: number, row: Record<string, unknown>, ctx: BatchContext): void {
    const table = topic === this.table.topic;
    const codecs = this.codecs;
    ctx.emit({
      topic,
      partition: this.partition,
      key: (table ? codecs.tableKey : codecs.stateKey).encode(this.key(groupKey, start)),
      value: (table ? codecs.tableValue : codecs.stateValue).encode(row),
      timestamp,
      headers: {},
    });
  }

  /** Final mode: the closing window's final value to the table, a tombstone to the changelog. Update mode: nothing. */
  private closedSlotEmitter(store: WindowStore<unknown>, ctx: BatchContext): (slot: number) => void {
    if (this.aggregate.changelogTopic === undefined) return ignoreClosed; // update mode: the last update is the result
    return (slot) => {
      this.emitSlot(store, slot, this.table.topic, ctx);
      this.emitTombstone(this.stateTopic, store.keyAt(slot), store.startAt(slot), store.lastUpdatedAt(slot), ctx);
    };
  }

  private emitClosed(closed: readonly ClosedWindow[], ctx: BatchContext): void {
    if (this.aggregate.changelogTopic === undefined) return; // update mode: the last update is the result
    for (const entry of closed) {
      const row = this.store.aggregates.toTableValue(entry.accumulators, this.rowHead(entry.groupKey, entry.window.start, entry.window.end));
      this.emitRow(this.table.topic, entry.groupKey, entry.window.start, entry.lastUpdated, row, ctx);
      this.emitTombstone(this.stateTopic, entry.groupKey, entry.window.start, entry.lastUpdated, ctx);
    }
  }

  private emitTombstone(topic: string, groupKey: string, start: number, timestamp: number, ctx: BatchContext): void {
    const codec = topic === this.table.topic ? this.codecs.tableKey : this.codecs.stateKey;
    ctx.emit({ topic, partition: this.partition, key: codec.encode(this.key(groupKey, start)), value: null, timestamp, headers: {} });
  }

  private key(groupKey: string, start: number): Record<string, unknown> {
    return { [this.aggregate.keyField]: groupKey, window_start: start };
  }

  private rowHead(groupKey: string, start: number, end: number): Record<string, unknown> {
    return { [this.aggregate.keyField]: groupKey, window_start: start, window_end: end };
  }
}

const ignoreClosed = (): void => {};
