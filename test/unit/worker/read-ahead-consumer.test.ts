import type { InputRecord } from 'sluice';
import { describe, expect, test } from 'vitest';
import type { PartitionChange, StreamConsumer, TopicPartitionRef } from '../../../src/runtime/stream-transport.js';
import { unpackInputRecords } from '../../../src/worker/packed-records.js';
import { ReadAheadConsumer, type ReadAheadBatch } from '../../../src/worker/read-ahead-consumer.js';
import { partitionKey } from '../../../src/partition-key.js';

const record = (partition: number, offset: number): InputRecord => ({ topic: 't', partition, offset: BigInt(offset), timestamp: offset, key: null, value: Buffer.from(`${partition}@${offset}`), headers: {} });

/**
 * A client whose reads finish when the test says so: each `poll` waits for
 * `deliver(records)`. It logs every call, and whether a read was in flight
 * when a position changed (which the read-ahead consumer must never allow).
 */
class ManualConsumer implements StreamConsumer {
  readonly calls: string[] = [];
  readonly reads: { max: number; timeoutMs: number; deliver(records: InputRecord[]): void; fail(error: Error): void }[] = [];
  inFlight = 0;
  movedDuringRead = false;
  ended = new Map<string, bigint>();

  poll(max: number, timeoutMs: number): Promise<InputRecord[]> {
    this.calls.push(`poll ${max} ${timeoutMs}`);
    this.inFlight++;
    return new Promise((resolve, reject) =>
      this.reads.push({
        max,
        timeoutMs,
        deliver: (records) => {
          this.inFlight--;
          resolve(records);
        },
        fail: (error) => {
          this.inFlight--;
          reject(error);
        },
      }),
    );
  }
  #moved(what: string): void {
    if (this.inFlight > 0) this.movedDuringRead = true;
    this.calls.push(what);
  }
  pause(partitions: readonly TopicPartitionRef[]): void {
    this.#moved(`pause ${partitions.map((p) => p.partition).join(',')}`);
  }
  resume(partitions: readonly TopicPartitionRef[]): void {
    this.#moved(`resume ${partitions.map((p) => p.partition).join(',')}`);
  }
  async seek(partition: TopicPartitionRef, nextOffset: bigint | undefined): Promise<void> {
    this.#moved(`seek ${partition.partition} ${nextOffset}`);
  }
  async committed(): Promise<ReadonlyMap<string, bigint | undefined>> {
    return new Map();
  }
  assignment(): TopicPartitionRef[] {
    return [];
  }
  lag(): { topic: string; partition: number; records: number }[] {
    return [];
  }
  ends(): ReadonlyMap<string, bigint> {
    return this.ended;
  }
  async close(): Promise<void> {
    this.#moved('close');
  }
  /** The read in flight (the last one asked for). */
  get current() {
    const read = this.reads[this.reads.length - 1];
    if (read === undefined) throw new Error('no read was asked for');
    return read;
  }
}

const offsetsOf = (batch: ReadAheadBatch): string[] => batch.chunks.flatMap((c) => unpackInputRecords(c).map((r) => `${r.partition}@${r.offset}`));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A first poll served with `records` (a short read), after which the consumer is reading ahead. */
async function afterFirstPoll(chunk = 4) {
  const client = new ManualConsumer();
  const ahead = new ReadAheadConsumer(client, { chunk });
  const first = ahead.poll(10, 100);
  await tick();
  client.current.deliver([record(0, 0)]);
  await first;
  await tick();
  return { client, ahead };
}

describe('ReadAheadConsumer', () => {
  test('a poll with nothing held reads like a plain poll, then reading goes on in the background', async () => {
    const client = new ManualConsumer();
    const ahead = new ReadAheadConsumer(client, { chunk: 2 });
    const first = ahead.poll(10, 100);
    await tick();
    expect(client.current).toMatchObject({ max: 2, timeoutMs: 100 });
    client.current.deliver([record(0, 0), record(0, 1)]); // a full chunk: more may be queued
    await tick();
    expect(client.current).toMatchObject({ max: 2, timeoutMs: 0 }); // the rest without waiting
    client.current.deliver([record(0, 2)]); // short: nothing more queued
    expect(offsetsOf(await first)).toEqual(['0@0', '0@1', '0@2']);
    // Read ahead while the caller processes:
    await tick();
    expect(client.reads).toHaveLength(3);
    client.current.deliver([record(0, 3), record(1, 0)]);
    await tick();
    client.current.deliver([]);
    const second = await ahead.poll(10, 100);
    expect(offsetsOf(second)).toEqual(['0@3', '1@0']);
  });

  test('never holds more than a poll\'s worth: reading stops at max until the next poll', async () => {
    const client = new ManualConsumer();
    const ahead = new ReadAheadConsumer(client, { chunk: 2 });
    const first = ahead.poll(3, 100);
    await tick();
    client.current.deliver([record(0, 0), record(0, 1)]);
    await tick();
    expect(client.current.max).toBe(1);
    client.current.deliver([record(0, 2)]);
    expect((await first).count).toBe(3);
    await tick();
    client.current.deliver([record(0, 3), record(0, 4)]);
    await tick();
    client.current.deliver([record(0, 5)]);
    await tick();
    expect(client.reads).toHaveLength(4 + 0); // holds 3 = max: no fifth read
    expect(client.inFlight).toBe(0);
  });

  test('pause, resume and seek wait for the read in flight; a seek drops what is held of its partition', async () => {
    const { client, ahead } = await afterFirstPoll();
    const paused = ahead.pause([{ topic: 't', partition: 1 }]);
    const sought = ahead.seek({ topic: 't', partition: 0 }, 1n);
    await tick();
    expect(client.calls).not.toContain('pause 1');
    client.current.deliver([record(0, 1), record(1, 7), record(0, 2)]); // short read
    await paused;
    await sought;
    expect(client.movedDuringRead).toBe(false);
    expect(client.calls.slice(-2)).toEqual(['pause 1', 'seek 0 1']);
    // Records of the paused partition are handed out (the client resumes after them); the sought partition's are gone.
    const second = ahead.poll(10, 100);
    await tick();
    expect(offsetsOf(await second)).toEqual(['1@7']);
  });

  test('a released revocation waits for the read in flight, drops the revoked partitions\' records and their ends', async () => {
    const { client, ahead } = await afterFirstPoll();
    let done = false;
    const change: PartitionChange = { kind: 'revoked', partitions: [{ topic: 't', partition: 1 }], done: () => (done = true) };
    const released = ahead.release(change);
    await tick();
    expect(done).toBe(false);
    client.ended = new Map([[partitionKey('t', 1), 9n], [partitionKey('t', 0), 3n]]);
    client.current.deliver([record(1, 8), record(0, 1)]);
    await released;
    expect(done).toBe(true);
    const second = await ahead.poll(10, 100);
    expect(offsetsOf(second)).toEqual(['0@1']);
    expect([...second.ends.keys()]).toEqual([partitionKey('t', 0)]);
  });

  test('a failed read is the next poll\'s error, and reading starts afresh after it', async () => {
    const { client, ahead } = await afterFirstPoll();
    client.current.fail(new Error('broker down'));
    await expect(ahead.poll(10, 100)).rejects.toThrow('broker down');
    const third = ahead.poll(10, 100);
    await tick();
    client.current.deliver([record(0, 1)]);
    expect(offsetsOf(await third)).toEqual(['0@1']);
  });

  test('close waits for the read in flight, drops what is held and reads no more', async () => {
    const { client, ahead } = await afterFirstPoll();
    const closed = ahead.close();
    await tick();
    expect(client.calls).not.toContain('close');
    client.current.deliver([record(0, 1)]);
    await closed;
    expect(client.calls[client.calls.length - 1]).toBe('close');
    expect(client.movedDuringRead).toBe(false);
    expect(client.inFlight).toBe(0);
  });
});
