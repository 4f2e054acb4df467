import type { CommitOffset, OutputRecord } from 'sluice';
import { describe, expect, test } from 'vitest';
import type { CheckpointWriter } from '../../../src/runtime/stream-transport.js';
import { QueuedCheckpointWriter } from '../../../src/worker/queued-checkpoint-writer.js';

const out = (n: number): OutputRecord => ({ topic: 'table', partition: 0, key: Buffer.from(`k${n}`), value: Buffer.from(`v${n}`), timestamp: n, headers: {} });

/** A writer whose produce is slow for the first call and can be told to fail. */
function recordingWriter(options: { failProduce?: number; failBegin?: boolean } = {}): CheckpointWriter & { log: string[] } {
  const log: string[] = [];
  let produces = 0;
  return {
    log,
    async begin() {
      log.push('begin');
      if (options.failBegin) throw new Error('begin refused');
    },
    async produce(records: readonly OutputRecord[]) {
      const call = ++produces;
      if (call === 1) await new Promise((resolve) => setTimeout(resolve, 20));
      if (call === options.failProduce) throw new Error(`produce ${call} failed`);
      log.push(`produce ${records.map((r) => r.timestamp).join(',')}`);
    },
    async commit(offsets: readonly CommitOffset[]) {
      log.push(`commit ${offsets.map((o) => o.nextOffset).join(',')}`);
    },
    async abort() {
      log.push('abort');
    },
    async close() {
      log.push('close');
    },
  };
}

describe('QueuedCheckpointWriter', () => {
  test('runs begin, produces and commit in the order they were made, a slow produce included', async () => {
    const writer = recordingWriter();
    const queued = new QueuedCheckpointWriter(writer);
    queued.beginLater();
    queued.produceLater([out(1), out(2)]);
    queued.produceLater([out(3)]);
    await queued.commit([{ topic: 'in', partition: 0, nextOffset: 4n }]);
    expect(writer.log).toEqual(['begin', 'produce 1,2', 'produce 3', 'commit 4']);
  });

  test('a failed produce fails the commit, which then does not commit; the next checkpoint starts clean after abort', async () => {
    const writer = recordingWriter({ failProduce: 1 });
    const queued = new QueuedCheckpointWriter(writer);
    queued.beginLater();
    queued.produceLater([out(1)]);
    queued.produceLater([out(2)]);
    await expect(queued.commit([{ topic: 'in', partition: 0, nextOffset: 3n }])).rejects.toThrow('produce 1 failed');
    expect(writer.log).toEqual(['begin']); // nothing produced after the failure, nothing committed
    await queued.abort();
    queued.beginLater();
    queued.produceLater([out(5)]);
    await queued.commit([{ topic: 'in', partition: 0, nextOffset: 6n }]);
    expect(writer.log).toEqual(['begin', 'abort', 'begin', 'produce 5', 'commit 6']);
  });

  test('a failed begin fails the commit', async () => {
    const writer = recordingWriter({ failBegin: true });
    const queued = new QueuedCheckpointWriter(writer);
    queued.beginLater();
    queued.produceLater([out(1)]);
    await expect(queued.commit([])).rejects.toThrow('begin refused');
    expect(writer.log).toEqual(['begin']);
  });
});
