import { describe, expect, it } from 'vitest';
import { count, plan, topology, tumbling } from 'sluice';
import type { AvroRecordSchema } from '../../../src/serde/avro-schema.js';
import { ensurePlanTopics, HEADER_ALLOWANCE_BYTES } from '../../../src/runtime/ensure-plan-topics.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/runtime/output-limits.js';
import type { RecordLimits, StreamTransport } from '../../../src/runtime/stream-transport.js';

interface Click {
  user: string;
  at: number;
}
const clickSchema: AvroRecordSchema = { type: 'record', name: 'Click', fields: [{ name: 'user', type: 'string' }, { name: 'at', type: 'long' }] };
const clicks = plan(
  topology('clicks')
    .source<Click>('clicks', { schema: clickSchema, eventTime: 'at' })
    .deadLetter('clicks.dlq')
    .groupBy('by-user', 'user')
    .window('per-minute', tumbling('1m'))
    .aggregate('counts', { n: count() })
    .toTable('clicks.per-minute'),
);

/** A transport over fixed topic limits; records what it was asked to create. */
function fakeTransport(limits: ((topics: readonly string[]) => RecordLimits | undefined) | undefined) {
  const created: { name: string; config?: Readonly<Record<string, string>> }[] = [];
  const transport = {
    ensureTopics: async (topics: readonly { name: string; partitions: number; config?: Readonly<Record<string, string>> }[]) => void created.push(...topics),
    partitionCounts: async () => new Map([['clicks', 3]]),
    ...(limits === undefined ? {} : { recordLimits: async (topics: readonly string[]) => limits(topics) }),
  } as unknown as StreamTransport;
  return { transport, created };
}

describe('ensurePlanTopics and record limits', () => {
  it("creates dead-letter and repartition topics that accept the sources' records, and returns every written topic's limit", async () => {
    const source = 8 * 1024 * 1024;
    const { transport, created } = fakeTransport((topics) => ({
      topics: new Map(topics.map((t) => [t, t === 'clicks' ? source : t === 'clicks.per-minute' ? 2_000_000 : source + 2 * HEADER_ALLOWANCE_BYTES])),
      producer: 16 * 1024 * 1024,
    }));
    const limits = await ensurePlanTopics(clicks, transport);
    const config = (name: string) => created.find((t) => t.name === name)?.config?.['max.message.bytes'];
    expect(config('clicks.dlq')).toBe(String(source + 2 * HEADER_ALLOWANCE_BYTES));
    expect(config('clicks.by-user-repartition')).toBe(String(source + HEADER_ALLOWANCE_BYTES));
    expect(config('clicks.per-minute'), 'tables and outputs keep the broker default').toBeUndefined();
    expect(limits?.get('clicks.per-minute')).toBe(2_000_000);
    expect(limits?.get('clicks.dlq')).toBe(source + 2 * HEADER_ALLOWANCE_BYTES);
    expect(limits?.has('clicks'), 'sources are not written').toBe(false);
  });

  it("caps limits by the producer's, and assumes Kafka's default for a topic whose config cannot be read", async () => {
    const { transport, created } = fakeTransport(() => ({ topics: new Map(), producer: 500_000 }));
    const limits = await ensurePlanTopics(clicks, transport);
    expect(created.every((t) => t.config?.['max.message.bytes'] === undefined)).toBe(true);
    expect(new Set(limits?.values())).toEqual(new Set([500_000]));
    const { transport: roomy } = fakeTransport(() => ({ topics: new Map(), producer: 32 * 1024 * 1024 }));
    expect(new Set((await ensurePlanTopics(clicks, roomy))?.values())).toEqual(new Set([KAFKA_DEFAULT_MAX_MESSAGE_BYTES]));
  });

  it('returns no limits from a transport that cannot tell them', async () => {
    expect(await ensurePlanTopics(clicks, fakeTransport(undefined).transport)).toBeUndefined();
    expect(await ensurePlanTopics(clicks, fakeTransport(() => undefined).transport)).toBeUndefined();
  });

  it('a missing source topic is an error that gives the commands creating and filling it, not a workload generator', async () => {
    const transport = { ...fakeTransport(undefined).transport, partitionCounts: async () => new Map() } as unknown as StreamTransport;
    const error = await ensurePlanTopics(clicks, transport).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toBe(
      'topology clicks: source topic(s) clicks do not exist; create it with `sluice topics create clicks --partitions 3` ' +
        '(the partition count bounds how many tasks share the work), then write records as JSON lines with `sluice produce clicks --file records.jsonl`',
    );
  });
});
