import { describe, expect, it } from 'vitest';
import { ReadAheadConsumer, type BatchSource, type PartitionEnd } from '../../../src/kafka/read-ahead-consumer.js';

interface Msg {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const m = (partition: number, offset: number): Msg => ({ topic: 't', partition, offset });
const p = (partition: number) => ({ topic: 't', partition });

/** A source whose polls resolve when the test says so, logging every call in order. */
class ScriptedSource implements BatchSource<Msg> {
  readonly calls: string[] = [];
  readonly #pending: { resolve: (batch: Msg[]) => void; reject: (error: unknown) => void }[] = [];

  poll(max: number): Promise<Msg[]> {
    this.calls.push(`poll(${max})`);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }
  pause(partitions: readonly { partition: number }[]): void {
    this.calls.push(`pause(${partitions.map((x) => x.partition).join(',')})`);
  }
  resume(partitions: readonly { partition: number }[]): void {
    this.calls.push(`resume(${partitions.map((x) => x.partition).join(',')})`);
  }
  async seek(position: { partition: number; offset: number }): Promise<void> {
    this.calls.push(`seek(${position.partition}@${position.offset})`);
  }

  get polling(): number {
    return this.#pending.length;
  }
  /** Completes the oldest poll in flight. */
  complete(batch: Msg[]): void {
    const next = this.#pending.shift();
    if (!next) throw new Error('no poll in flight');
    next.resolve(batch);
  }
  fail(error: unknown): void {
    const next = this.#pending.shift();
    if (!next) throw new Error('no poll in flight');
    next.reject(error);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const offsets = (batch: readonly Msg[]) => batch.map((x) => `${x.partition}@${x.offset}`);

describe('ReadAheadConsumer', () => {
  it('starts the next poll before handing a batch out, and hands batches out in order', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    expect(source.polling).toBe(1);
    source.complete([m(0, 0), m(0, 1)]);
    expect(offsets(await first)).toEqual(['0@0', '0@1']);
    expect(source.polling).toBe(1); // read-ahead in flight while the caller works
    source.complete([m(0, 2)]);
    await tick();
    expect(offsets(await reader.poll(10, 100))).toEqual(['0@2']);
    expect(source.calls).toEqual(['poll(10)', 'poll(10)', 'poll(10)']);
  });

  it('releases a revoked partition only after the poll in flight settled, dropping its records', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0)]);
    await first; // read-ahead now in flight
    const released: string[] = [];
    reader.release([p(1)], () => released.push('released 1'));
    expect(released).toEqual([]); // the poll in flight may still return records of partition 1
    source.complete([m(0, 1), m(1, 7), m(1, 8), m(0, 2)]);
    const next = await reader.poll(10, 100);
    expect(released).toEqual(['released 1']);
    expect(offsets(next)).toEqual(['0@1', '0@2']);
  });

  it('releases at once when no poll is in flight, and drops records held for the partition', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    reader.pause([p(1)]);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0), m(1, 0)]);
    expect(offsets(await first)).toEqual(['0@0']); // partition 1 is paused: held
    source.complete([]);
    await tick();
    let released = false;
    reader.release([p(1)], () => (released = true));
    expect(released).toBe(true);
    reader.resume([p(1)]);
    const next = reader.poll(10, 100);
    source.complete([m(0, 1)]);
    expect(offsets(await next)).toEqual(['0@1']); // the held 1@0 went with the revocation
  });

  it('holds records of paused partitions, in order, until they are resumed', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0)]);
    await first;
    reader.pause([p(1)]); // while the read-ahead is in flight
    source.complete([m(1, 0), m(0, 1), m(1, 1)]);
    expect(offsets(await reader.poll(10, 100))).toEqual(['0@1']);
    reader.resume([p(1)]);
    expect(offsets(await reader.poll(10, 100))).toEqual(['1@0', '1@1']); // no new poll needed
    expect(source.calls).toContain('pause(1)');
    expect(source.calls).toContain('resume(1)');
  });

  it('seeks only after the poll in flight settled, and drops what was read ahead for that partition', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0)]);
    await first;
    const seeking = reader.seek({ topic: 't', partition: 0, offset: 0 });
    await tick();
    expect(source.calls).not.toContain('seek(0@0)');
    source.complete([m(0, 1), m(1, 4)]);
    await seeking;
    expect(source.calls.at(-1)).toBe('seek(0@0)');
    expect(offsets(await reader.poll(10, 100))).toEqual(['1@4']); // no poll started across the seek
  });

  it('never hands out more than asked, keeping the rest for the next poll', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(2, 100);
    source.complete([m(0, 0), m(0, 1), m(0, 2)]);
    expect(offsets(await first)).toEqual(['0@0', '0@1']);
    expect(offsets(await reader.poll(2, 100))).toEqual(['0@2']);
  });

  it('throws a failed poll at the next poll, then polls afresh', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0)]);
    await first;
    source.fail(new Error('broker down'));
    await expect(reader.poll(10, 100)).rejects.toThrow('broker down');
    const again = reader.poll(10, 100);
    source.complete([m(0, 1)]);
    expect(offsets(await again)).toEqual(['0@1']);
  });

  it('reports an end of partition once the records before it are handed out', async () => {
    const source = new ScriptedSource();
    const ends: PartitionEnd[] = [];
    const reader = new ReadAheadConsumer(source, (end) => ends.push(end));
    reader.pause([p(0)]);
    const first = reader.poll(10, 100);
    reader.noteEnd({ topic: 't', partition: 0, offset: 2 }); // seen by the source with this batch
    source.complete([m(0, 0), m(0, 1)]);
    expect(await first).toEqual([]);
    expect(ends).toEqual([]); // partition 0's records are still held (paused)
    reader.resume([p(0)]);
    expect(offsets(await reader.poll(10, 100))).toEqual(['0@0', '0@1']);
    expect(ends).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
  });

  it('close waits for the poll in flight and starts no other', async () => {
    const source = new ScriptedSource();
    const reader = new ReadAheadConsumer(source);
    const first = reader.poll(10, 100);
    source.complete([m(0, 0)]);
    await first;
    const closing = reader.close();
    source.complete([m(0, 1)]);
    await closing;
    expect(source.polling).toBe(0);
    expect(source.calls.filter((c) => c.startsWith('poll'))).toHaveLength(2);
  });
});
