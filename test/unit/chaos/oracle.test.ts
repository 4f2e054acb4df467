import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeSource, expectationOf, type AppEventValue } from '../../chaos/oracle.js';
import type { ReadRecord } from '../../chaos/read-back.js';
import { CORRUPTIONS, corruptPayload, type Corruption } from '../../support/corrupt-payloads.js';

// The chaos harness's oracle on its own: decoding reasons and the lateness rule, without a broker.
const schema = JSON.parse(readFileSync(new URL('../../../schemas/app-event.avsc', import.meta.url), 'utf8')) as avro.Schema;
const type = avro.Type.forSchema(schema, { wrapUnions: false });
const ID = 7;
const registry = { get: (id: number) => Promise.resolve(id === ID ? type : undefined) };
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

function wire(e: AppEventValue): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(ID, 1);
  return Buffer.concat([header, type.toBuffer(e)]);
}

let n = 0;
function event(at: number, fields: Partial<AppEventValue> = {}): AppEventValue {
  n += 1;
  return { event_id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, event_type: 'click', user_id: 'u1', session_id: 's1', amount: null, timestamp: at, ...fields };
}

function records(list: readonly (readonly [partition: number, value: Buffer])[]): ReadRecord[] {
  const next = new Map<number, number>();
  return list.map(([partition, value]) => {
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    return { topic: 'src', partition, offset, key: null, value, timestamp: 0, headers: new Map() };
  });
}

describe('chaos oracle', () => {
  it('decodes valid payloads and gives every corruption of test/support/corrupt-payloads its documented reason', async () => {
    const valid = wire(event(T0));
    expect(await decodeSource(valid, type, registry)).toMatchObject({ ok: true, value: { event_type: 'click' } });
    for (const kind of Object.keys(CORRUPTIONS) as Corruption[]) {
      for (let i = 0; i < 40; i++) {
        const decoded = await decodeSource(corruptPayload(kind, valid, ID, i), type, registry);
        expect({ kind, i, reason: decoded.ok ? 'ok' : decoded.reason }).toEqual({ kind, i, reason: CORRUPTIONS[kind] });
      }
    }
    expect(await decodeSource(Buffer.alloc(0), type, registry)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('late iff window end + grace <= the highest event time of earlier valid records of the same source partition', async () => {
    const high = event(T0 + 100_000); // 10:01:40
    const late = event(T0 + 10_000); // window [10:00, 10:01), end + grace 10:01:30 <= 10:01:40
    const otherPartition = event(T0 + 10_000); // its partition has seen nothing later
    const src = records([
      [0, wire(event(T0 + 50_000))],
      [0, wire(high)],
      [0, wire(late)],
      [1, wire(otherPartition)],
    ]);
    const x = await expectationOf(src, 'src', type, registry);
    expect(x.deadLetters).toEqual([{ partition: 0, offset: 2, step: 'minute', reason: 'late', eventId: late.event_id }]);
    expect(x.valid.size).toBe(4); // late events still reach raw_events and events.valid
    expect(x.counts.get(`click|${T0}`)?.events).toBe(2);
    expect(x.counts.get(`click|${T0 + 60_000}`)?.events).toBe(1);
  });

  it('the boundary: end + grace one millisecond past H is on time; invalid and undecodable records do not advance H', async () => {
    const src = records([
      [0, wire(event(T0 + 89_999))], // H = 10:01:29.999
      [0, wire(event(T0 + 59_999))], // end + grace 10:01:30 > H: counted
      [0, wire(event(T0 + 900_000, { user_id: null }))], // invalid: dead-lettered, H unchanged
      [0, Buffer.from([1, 2, 3])], // bad magic
      [0, wire(event(T0 + 1_000))], // still on time
      [0, wire(event(T0 + 90_000))], // H = 10:01:30
      [0, wire(event(T0 + 2_000))], // end + grace 10:01:30 <= H: late
    ]);
    const x = await expectationOf(src, 'src', type, registry);
    expect(x.deadLetters.map((d) => [d.offset, d.reason, d.step, d.message])).toEqual([
      [2, 'invalid', 'has-user', 'user_id is missing'],
      [3, 'bad-magic', 'src', undefined],
      [6, 'late', 'minute', undefined],
    ]);
    expect(x.counts.get(`click|${T0}`)?.events).toBe(2);
    expect(x.stats).toMatchObject({ source: 7, valid: 5, late: 1, invalid: 1, undecodable: { 'bad-magic': 1 } });
  });

  it('validation in the topology order, with its messages', async () => {
    const src = records([
      [0, wire(event(T0, { event_type: 'pageview', user_id: null }))],
      [0, wire(event(T0, { event_type: 'purchase', amount: -9.99 }))],
      [0, wire(event(T0, { event_type: 'purchase', amount: 12.5 }))],
    ]);
    const x = await expectationOf(src, 'src', type, registry);
    expect(x.deadLetters.map((d) => [d.step, d.message])).toEqual([
      ['known-type', 'unknown event_type "pageview"'],
      ['priced-purchase', 'purchase without a positive amount'],
    ]);
  });
});
