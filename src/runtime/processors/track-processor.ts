import type { TrackCode } from '../../plan/step-code.js';
import type { TableSinkNode, TrackNode } from '../../plan/plan-node.js';
import { stateSchemaProblem } from '../../plan/state-schema.js';
import type { AvroCodec, AvroRecordSchema } from '../../serde/index.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import type { InputRecord } from '../records.js';
import type { StatefulProcessor } from './stateful-processor.js';
import { errorText } from '../../error-text.js';

/**
 * The codecs of a tracked table: its key (`{ <keyField> }`) and the state.
 *
 * @example
 * ```ts
 * const codecs: TrackCodecs = { key: codecs.writer('orders.state-key', keySchema), value: codecs.writer('orders.state-value', 'order-state') };
 * ```
 */
export interface TrackCodecs {
  readonly key: AvroCodec<unknown>;
  readonly value: AvroCodec<unknown>;
}

type State = Readonly<Record<string, unknown>>;

/**
 * `track` + its table of one task: the latest state per key, in memory,
 * restored from the task's partition of the table topic (its changelog).
 * `run` only queues the batch; `apply` folds it in offset order once the rest
 * of the batch has succeeded. Per record, `update(state, value)` returns the
 * next state or a reason: a reason dead-letters the record (`rejected`) and
 * leaves the state as it was; a throw or a non-record result is `error`, a
 * state that does not fit the schema `serialize`. Each changed key is written
 * once per batch (its last state), like `emit: 'update'` windows.
 *
 * States handed to `update` are frozen: return a new object, so a rejected
 * record cannot have changed the state through a mutation.
 *
 * @example
 * ```ts
 * const p = new TrackProcessor(trackNode, partition, { key, value }, code.track(trackNode.name));
 * await p.run(envelopes, ctx); // queued
 * p.apply(ctx);                // states updated, table records and rejections emitted
 * ```
 */
export class TrackProcessor implements StatefulProcessor {
  readonly stateTopic: string;
  readonly openWindows = 0;
  private readonly table: TableSinkNode;
  private readonly fields: readonly string[];
  private readonly states = new Map<string, State>();
  private pending: (readonly Envelope[])[] = [];

  constructor(
    private readonly node: TrackNode,
    private readonly partition: number,
    private readonly codecs: TrackCodecs,
    private readonly code: TrackCode,
  ) {
    this.table = node.next[0];
    this.stateTopic = this.table.topic;
    const schema = codecs.value.readerType.schema() as AvroRecordSchema;
    const problem = stateSchemaProblem(schema, node.keyField);
    if (problem !== undefined) throw new Error(`track "${node.name}": ${problem}; give the state schema a string field "${node.keyField}"`);
    this.fields = schema.fields.map((f) => f.name);
  }

  /** Keys with a state in this task. */
  get size(): number {
    return this.states.size;
  }

  async run(envelopes: readonly Envelope[], _ctx: BatchContext): Promise<void> {
    this.pending.push(envelopes);
  }

  apply(ctx: BatchContext): void {
    const batches = this.pending;
    this.pending = [];
    const changed = new Map<string, { state: State; value: Buffer; timestamp: number }>();
    for (const envelopes of batches) {
      for (const env of envelopes) {
        const key = env.key === null ? '' : env.key.toString('utf8');
        const next = this.next(key, changed.get(key)?.state ?? this.states.get(key), env, ctx);
        if (next !== undefined) changed.set(key, { ...next, timestamp: env.eventTime });
      }
    }
    const { keyField } = this.node;
    for (const [key, c] of changed) {
      this.states.set(key, c.state);
      ctx.emit({ topic: this.stateTopic, partition: this.partition, key: this.codecs.key.encode({ [keyField]: key }), value: c.value, timestamp: c.timestamp, headers: {} });
    }
  }

  punctuate(_ctx: BatchContext): void {}

  /** Rebuilds the states from this task's partition of the table topic (offset order; tombstones delete). No windows: returns 0. */
  async restore(records: readonly InputRecord[], _nowMs: number): Promise<number> {
    const { key: keys, value: values } = this.codecs;
    await keys.prepare(records.map((r) => r.key));
    await values.prepare(records.map((r) => r.value));
    for (const r of records) {
      const where = `cannot restore ${this.node.name} from ${r.topic}[${r.partition}]@${r.offset}`;
      const key = keys.decode(r.key);
      if (!key.ok) throw new Error(`${where}: key ${key.message}`);
      const groupKey = String((key.value as Record<string, unknown>)[this.node.keyField]);
      if (r.value === null) {
        this.states.delete(groupKey);
        continue;
      }
      const value = values.decode(r.value);
      if (!value.ok) throw new Error(`${where}: ${value.message}`);
      this.states.set(groupKey, this.pick(value.value as Record<string, unknown>));
    }
    return 0;
  }

  /** The next state and its bytes, or `undefined` when the record was dead-lettered. */
  private next(key: string, current: State | undefined, env: Envelope, ctx: BatchContext): { state: State; value: Buffer } | undefined {
    const { name, deadLetter, keyField } = this.node;
    const { initial, update } = this.code;
    let result: unknown;
    try {
      result = update(current ?? this.pick({ ...(initial(key) as Record<string, unknown>), [keyField]: key }), env.value);
    } catch (error) {
      ctx.deadLetter(env.origin, deadLetter, 'error', name, `update threw: ${errorText(error)}`);
      return undefined;
    }
    if (typeof result === 'string') {
      ctx.deadLetter(env.origin, deadLetter, 'rejected', name, result);
      return undefined;
    }
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      ctx.deadLetter(env.origin, deadLetter, 'error', name, `update returned ${result === null ? 'null' : typeof result}: return the next state (a record) or a reason (a string)`);
      return undefined;
    }
    // The key column always holds the group key, whatever update returned.
    const state = this.pick({ ...(result as Record<string, unknown>), [keyField]: key });
    try {
      return { state, value: this.codecs.value.encode(state) };
    } catch (error) {
      ctx.deadLetter(env.origin, deadLetter, 'serialize', name, `the new state does not fit the state schema: ${errorText(error)}`);
      return undefined;
    }
  }

  /** Keeps the schema's fields only, frozen: the state in memory is what a restore would give. */
  private pick(value: Record<string, unknown>): State {
    const state: Record<string, unknown> = {};
    for (const field of this.fields) if (field in value) state[field] = value[field];
    return Object.freeze(state);
  }
}
