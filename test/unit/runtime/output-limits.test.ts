import { describe, expect, it } from 'vitest';
import { BatchContext } from '../../../src/runtime/batch-context.js';
import { ERROR_HEADERS } from '../../../src/runtime/error-headers.js';
import { fitDeadLetter, recordBytes } from '../../../src/runtime/output-limits.js';
import type { InputRecord, OutputRecord } from '../../../src/runtime/records.js';

const input = (value: Buffer, headers: Record<string, Buffer> = {}): InputRecord => ({
  topic: 'events',
  partition: 2,
  offset: 41n,
  timestamp: 1_700_000_000_000,
  key: Buffer.from('user-7'),
  value,
  headers,
});
const text = (record: OutputRecord, name: string): string | undefined => record.headers[name]?.toString();

describe('recordBytes', () => {
  it('counts key, value, header names and values, plus framing', () => {
    const bare = recordBytes({ key: null, value: null, headers: {} });
    expect(recordBytes({ key: Buffer.alloc(3), value: Buffer.alloc(1_000), headers: {} })).toBe(bare + 1_003);
    expect(recordBytes({ key: null, value: null, headers: { ab: Buffer.alloc(5) } })).toBeGreaterThanOrEqual(bare + 7);
  });
});

describe('fitDeadLetter', () => {
  const deadLetter = (value: Buffer, headers: Record<string, Buffer> = {}): OutputRecord => {
    const ctx = new BatchContext(0);
    ctx.deadLetter(input(value, headers), 'events.dlq', 'corrupt', 'events', 'the payload does not decode');
    return ctx.outputs[0]!;
  };

  it('leaves a dead letter that fits alone', () => {
    const record = deadLetter(Buffer.alloc(100));
    expect(fitDeadLetter(record, 10_000)).toBe(record);
  });

  it('cuts the value to the bytes that fit, keeping key, reason and source, and gives the original size', () => {
    const value = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
    const fitted = fitDeadLetter(deadLetter(value), 10_000);
    expect(recordBytes(fitted)).toBeLessThanOrEqual(10_000);
    expect(recordBytes(fitted)).toBeGreaterThan(10_000 - 16);
    expect(fitted.value!.equals(value.subarray(0, fitted.value!.length))).toBe(true);
    expect(fitted.key?.toString()).toBe('user-7');
    expect(text(fitted, ERROR_HEADERS.originalSize)).toBe('50000');
    expect(text(fitted, ERROR_HEADERS.reason)).toBe('corrupt');
    expect(text(fitted, ERROR_HEADERS.sourceTopic)).toBe('events');
    expect(text(fitted, ERROR_HEADERS.sourcePartition)).toBe('2');
    expect(text(fitted, ERROR_HEADERS.sourceOffset)).toBe('41');
  });

  it("drops the failed record's own headers when they alone do not fit, then cuts the message, then the key", () => {
    const withHeaders = fitDeadLetter(deadLetter(Buffer.alloc(5_000), { trace: Buffer.alloc(20_000) }), 2_000);
    expect(withHeaders.headers.trace).toBeUndefined();
    expect(text(withHeaders, ERROR_HEADERS.reason)).toBe('corrupt');
    expect(recordBytes(withHeaders)).toBeLessThanOrEqual(2_000);

    const ctx = new BatchContext(0);
    const long = { ...input(Buffer.alloc(10)), key: Buffer.alloc(3_000) };
    ctx.deadLetter(long, 'events.dlq', 'invalid', 'check', 'x'.repeat(5_000));
    const cut = fitDeadLetter(ctx.outputs[0]!, 2_000);
    expect(cut.key).toBeNull();
    expect(text(cut, ERROR_HEADERS.message)).toHaveLength(1_000);
    expect(recordBytes(cut)).toBeLessThanOrEqual(2_000);
  });
});

describe('BatchContext with output limits', () => {
  const limits = new Map([
    ['events.dlq', 10_000],
    ['events.out', 5_000],
  ]);

  it('cuts dead letters to their topic', () => {
    const ctx = new BatchContext(0, limits);
    ctx.deadLetter(input(Buffer.alloc(50_000)), 'events.dlq', 'bad-magic', 'events', 'magic byte 7');
    expect(recordBytes(ctx.outputs[0]!)).toBeLessThanOrEqual(10_000);
    expect(text(ctx.outputs[0]!, ERROR_HEADERS.originalSize)).toBe('50000');
    expect(ctx.counters.deadLettered).toBe(1);
  });

  it('dead-letters the input of an output too large for its topic (too-large), and passes the others', () => {
    const ctx = new BatchContext(0, limits);
    const origin = input(Buffer.alloc(8_000));
    const output = (bytes: number): OutputRecord => ({ topic: 'events.out', partition: undefined, key: null, value: Buffer.alloc(bytes), timestamp: 0, headers: {} });
    ctx.emitFrom(origin, 'events.dlq', 'events.out', output(100));
    ctx.emitFrom(origin, 'events.dlq', 'events.out', output(6_000));
    expect(ctx.outputs.map((o) => o.topic)).toEqual(['events.out', 'events.dlq']);
    const dead = ctx.outputs[1]!;
    expect(text(dead, ERROR_HEADERS.reason)).toBe('too-large');
    expect(text(dead, ERROR_HEADERS.step)).toBe('events.out');
    expect(text(dead, ERROR_HEADERS.message)).toContain('events.out');
    expect(dead.value!.equals(origin.value!)).toBe(true);
    expect(ctx.counters.deadLettered).toBe(1);
  });

  it('counts a drop when the chain has no dead-letter topic, and checks nothing without limits', () => {
    const ctx = new BatchContext(0, limits);
    ctx.emitFrom(input(Buffer.alloc(1)), undefined, 'events.out', { topic: 'events.out', partition: undefined, key: null, value: Buffer.alloc(6_000), timestamp: 0, headers: {} });
    expect(ctx.outputs).toHaveLength(0);
    expect(ctx.counters.dropped).toBe(1);

    const unchecked = new BatchContext(0);
    unchecked.deadLetter(input(Buffer.alloc(50_000)), 'events.dlq', 'corrupt', 'events', '');
    expect(unchecked.outputs[0]!.value).toHaveLength(50_000);
  });
});
