/**
 * What `events-pipeline` must have produced, recomputed from its source topic
 * as read back, following the README's documented semantics — and nothing
 * of Sluice's runtime: no import from src/ at all (read-back.ts decodes with
 * avsc and the registry).
 *
 * - Decoding (README *Dead letters*, src/serde/decode-result.ts's contract):
 *   an empty value is `truncated`; over 8 MiB `too-large`; a first byte other
 *   than 0 `bad-magic`; shorter than the 5-byte header `truncated`; a schema
 *   id the registry does not know `unknown-schema`; a writer schema the reader
 *   schema cannot read `unresolvable`; in the body, a negative length, a bad
 *   union index or trailing bytes `corrupt`, a declared length past the end
 *   `truncated` (`too-large` over 8 MiB), a body that ends early `truncated`.
 *   Each is dead-lettered by the source step (named after the source topic).
 * - Validation, in the topology's order: `known-type`, `has-user`,
 *   `priced-purchase`, reason `invalid` with the step's message.
 * - Lateness (this session's rule): per source partition, in offset order,
 *   among the records that pass decoding and validation, a record is late iff
 *   `windowEnd + grace <= H`, H the highest event time of the *earlier* such
 *   records of its partition; windowEnd = floor(t / 1 min) * 1 min + 1 min,
 *   grace 30 s. Late records are dead-lettered (`late`, step `minute`) and not
 *   counted, but still reach `events.valid` and `raw_events`.
 */
import avro from 'avsc';
import type { ReadRecord, RegistrySchemas } from './read-back.js';

export const WINDOW_MS = 60_000;
export const GRACE_MS = 30_000;
export const WINDOW_STEP = 'minute';
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const EVENT_TYPES = new Set(['page_view', 'click', 'add_to_cart', 'purchase', 'signup']);

/** A decoded source event (app-event.avsc). */
export interface AppEventValue {
  readonly event_id: string;
  readonly event_type: string;
  readonly user_id: string | null;
  readonly session_id: string;
  readonly amount: number | null;
  readonly timestamp: number;
}

/** One dead letter the topology must write, identified by source partition, offset and step. */
export interface ExpectedDeadLetter {
  readonly partition: number;
  readonly offset: number;
  readonly step: string;
  readonly reason: string;
  /** Exact for `invalid` (the validate step's message); undefined where the message is the runtime's wording. */
  readonly message?: string;
  readonly eventId?: string;
}

export interface ExpectedCount {
  readonly event_type: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly events: number;
}

export interface Expectation {
  /** Every record that passes decoding and validation (late ones included), by event_id. */
  readonly valid: ReadonlyMap<string, AppEventValue & { readonly partition: number; readonly offset: number }>;
  readonly deadLetters: readonly ExpectedDeadLetter[];
  /** Events per (event_type, window_start), late ones left out; key `type|start`. */
  readonly counts: ReadonlyMap<string, ExpectedCount>;
  readonly stats: { readonly source: number; readonly valid: number; readonly late: number; readonly invalid: number; readonly undecodable: Readonly<Record<string, number>> };
  /** Event ids seen twice among valid records: the oracle cannot tell which copy raw_events keeps. */
  readonly duplicateIds: readonly string[];
}

/** Writer schemas by id (the registry; a map in unit tests). */
export type WriterSchemas = Pick<RegistrySchemas, 'get'>;

export const countKey = (eventType: string, windowStart: number): string => `${eventType}|${windowStart}`;

/** Computes the expectation from the source topic as read back. */
export async function expectationOf(source: readonly ReadRecord[], sourceTopic: string, readerSchema: avro.Type, registry: WriterSchemas): Promise<Expectation> {
  const valid = new Map<string, AppEventValue & { partition: number; offset: number }>();
  const deadLetters: ExpectedDeadLetter[] = [];
  const counts = new Map<string, ExpectedCount>();
  const undecodable: Record<string, number> = {};
  const duplicateIds: string[] = [];
  let invalid = 0;
  let late = 0;
  const highest = new Map<number, number>();
  const ordered = [...source].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of ordered) {
    const decoded = await decodeSource(r.value, readerSchema, registry);
    if (!decoded.ok) {
      undecodable[decoded.reason] = (undecodable[decoded.reason] ?? 0) + 1;
      deadLetters.push({ partition: r.partition, offset: r.offset, step: sourceTopic, reason: decoded.reason });
      continue;
    }
    const e = decoded.value;
    const refusal = validate(e);
    if (refusal !== undefined) {
      invalid += 1;
      deadLetters.push({ partition: r.partition, offset: r.offset, step: refusal.step, reason: 'invalid', message: refusal.message, eventId: e.event_id });
      continue;
    }
    if (!Number.isFinite(e.timestamp)) {
      deadLetters.push({ partition: r.partition, offset: r.offset, step: sourceTopic, reason: 'event-time', eventId: e.event_id });
      continue;
    }
    if (valid.has(e.event_id)) duplicateIds.push(e.event_id);
    else valid.set(e.event_id, { ...e, partition: r.partition, offset: r.offset });
    const windowStart = Math.floor(e.timestamp / WINDOW_MS) * WINDOW_MS;
    const windowEnd = windowStart + WINDOW_MS;
    const h = highest.get(r.partition) ?? Number.NEGATIVE_INFINITY;
    if (windowEnd + GRACE_MS <= h) {
      late += 1;
      deadLetters.push({ partition: r.partition, offset: r.offset, step: WINDOW_STEP, reason: 'late', eventId: e.event_id });
    } else {
      const key = countKey(e.event_type, windowStart);
      const c = counts.get(key);
      counts.set(key, { event_type: e.event_type, window_start: windowStart, window_end: windowEnd, events: (c?.events ?? 0) + 1 });
    }
    if (e.timestamp > h) highest.set(r.partition, e.timestamp);
  }
  return {
    valid,
    deadLetters,
    counts,
    stats: { source: source.length, valid: valid.size + duplicateIds.length, late, invalid, undecodable },
    duplicateIds,
  };
}

function validate(e: AppEventValue): { step: string; message: string } | undefined {
  if (!EVENT_TYPES.has(e.event_type)) return { step: 'known-type', message: `unknown event_type "${e.event_type}"` };
  if (!e.user_id) return { step: 'has-user', message: 'user_id is missing' };
  if (e.event_type === 'purchase' && !((e.amount ?? 0) > 0)) return { step: 'priced-purchase', message: 'purchase without a positive amount' };
  return undefined;
}

type Decoded = { ok: true; value: AppEventValue } | { ok: false; reason: string; why: string };

/** Decodes a source payload per the documented rules (see the file's comment). */
export async function decodeSource(buf: Buffer | null, reader: avro.Type, registry: WriterSchemas): Promise<Decoded> {
  if (buf === null || buf.length === 0) return { ok: false, reason: 'truncated', why: 'empty' };
  if (buf.length > MAX_RECORD_BYTES) return { ok: false, reason: 'too-large', why: `${buf.length} bytes` };
  if (buf[0] !== 0) return { ok: false, reason: 'bad-magic', why: `first byte ${buf[0]}` };
  if (buf.length < 5) return { ok: false, reason: 'truncated', why: 'shorter than the header' };
  const id = buf.readInt32BE(1);
  const writer = await registry.get(id);
  if (writer === undefined) return { ok: false, reason: 'unknown-schema', why: `schema id ${id}` };
  let resolver: avro.Resolver;
  try {
    resolver = reader.createResolver(writer);
  } catch (error) {
    return { ok: false, reason: 'unresolvable', why: String(error) };
  }
  const scan = scanBody(buf, 5, writer.schema() as avro.Schema);
  if (scan !== undefined) return { ok: false, reason: scan.reason, why: scan.why };
  const value = reader.decode(buf, 5, resolver);
  if (value.offset !== buf.length) return { ok: false, reason: value.offset < 0 ? 'truncated' : 'corrupt', why: 'avsc disagrees with the scan' };
  return { ok: true, value: value.value as AppEventValue };
}

class ScanError extends Error {
  constructor(readonly reason: string, readonly why: string) {
    super(why);
  }
}

/** Walks an Avro body by its writer schema without building values: the reason it cannot be read, or undefined. */
function scanBody(buf: Buffer, start: number, schema: avro.Schema): { reason: string; why: string } | undefined {
  const named = new Map<string, avro.Schema>();
  let pos = start;
  const long = (): number => {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ScanError('truncated', 'ends inside a number');
      const b = buf[pos++]!;
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      scale *= 128;
    }
    throw new ScanError('corrupt', 'varint longer than 10 bytes');
  };
  const need = (n: number, what: string): void => {
    if (n <= buf.length - pos) return;
    throw new ScanError(n > MAX_RECORD_BYTES ? 'too-large' : 'truncated', `${what} declares ${n} bytes, ${buf.length - pos} remain`);
  };
  const length = (what: string): number => {
    const n = long();
    if (n < 0) throw new ScanError('corrupt', `${what}: negative length ${n}`);
    need(n, what);
    return n;
  };
  const walk = (s: avro.Schema): void => {
    if (typeof s === 'string') {
      switch (s) {
        case 'null':
          return;
        case 'boolean':
          need(1, 'boolean');
          pos += 1;
          return;
        case 'int':
        case 'long':
          long();
          return;
        case 'float':
          need(4, 'float');
          pos += 4;
          return;
        case 'double':
          need(8, 'double');
          pos += 8;
          return;
        case 'bytes':
        case 'string': {
          const n = length(s); // read before adding: the length's own bytes move pos
          pos += n;
          return;
        }
        default: {
          const ref = named.get(s) ?? [...named].find(([k]) => k.endsWith(`.${s}`))?.[1];
          if (ref === undefined) throw new Error(`oracle: unknown type ${s}`);
          walk(ref);
          return;
        }
      }
    }
    if (Array.isArray(s)) {
      const i = long();
      if (i < 0 || i >= s.length) throw new ScanError('corrupt', `union index ${i}`);
      walk(s[i]! as avro.Schema);
      return;
    }
    const o = s as { type: string; name?: string; namespace?: string; fields?: { type: avro.Schema }[]; symbols?: string[]; items?: avro.Schema; values?: avro.Schema; size?: number };
    if (o.name !== undefined) named.set(o.namespace && !o.name.includes('.') ? `${o.namespace}.${o.name}` : o.name, s);
    switch (o.type) {
      case 'record':
      case 'error':
        for (const f of o.fields ?? []) walk(f.type);
        return;
      case 'enum': {
        const i = long();
        if (i < 0 || i >= (o.symbols ?? []).length) throw new ScanError('corrupt', `enum index ${i}`);
        return;
      }
      case 'fixed':
        need(o.size ?? 0, 'fixed');
        pos += o.size ?? 0;
        return;
      case 'array':
      case 'map':
        for (;;) {
          let n = long();
          if (n === 0) return;
          if (n < 0) {
            n = -n;
            long(); // the block's size in bytes
          }
          for (let i = 0; i < n; i++) {
            if (o.type === 'map') {
              const k = length('map key');
              pos += k;
            }
            walk((o.type === 'map' ? o.values : o.items)!);
          }
        }
      default:
        walk(o.type as avro.Schema); // { type: 'long', logicalType: … } and the like
    }
  };
  try {
    walk(schema);
  } catch (error) {
    if (error instanceof ScanError) return { reason: error.reason, why: error.why };
    throw error;
  }
  if (pos !== buf.length) return { reason: 'corrupt', why: `${buf.length - pos} trailing byte(s)` };
  return undefined;
}
