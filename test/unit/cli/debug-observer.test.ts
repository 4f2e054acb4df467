import { describe, expect, it } from 'vitest';
import { debugObserver } from '../../../src/cli/debug-observer.js';
import type { LogLevel } from '../../../src/runtime/runtime-log.js';
import { NO_OBSERVER, type RuntimeObserver } from '../../../src/runtime/runtime-observer.js';

function observed(): { observer: RuntimeObserver; lines: { level: LogLevel; message: string; fields: Record<string, unknown> | undefined }[]; passedOn: string[] } {
  const lines: { level: LogLevel; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const passedOn: string[] = [];
  const inner: RuntimeObserver = { ...NO_OBSERVER, batchProcessed: () => void passedOn.push('batchProcessed'), checkpointCommitted: () => void passedOn.push('checkpointCommitted') };
  return { observer: debugObserver(inner, (level, message, fields) => void lines.push({ level, message, fields: fields as Record<string, unknown> | undefined })), lines, passedOn };
}

const p0 = { topic: 'in', partition: 0 };
const p1 = { topic: 'in', partition: 1 };

describe('debugObserver', () => {
  it('sums a checkpoint into one debug line, outputs reported after the commit included, and passes everything on', async () => {
    const { observer, lines, passedOn } = observed();
    observer.batchProcessed('t', p0, 300, 0.01);
    observer.batchProcessed('t', p1, 200, 0.01);
    observer.late('t', 2);
    observer.checkpointCommitted('t', 0.0123);
    observer.recordsProduced('t', 'out', 480);
    observer.deadLettered('t', 'late', 2);
    await Promise.resolve();
    expect(lines).toEqual([
      { level: 'debug', message: 'checkpoint committed', fields: { topology: 't', records: 500, partitions: { 'in[0]': 300, 'in[1]': 200 }, produced: { out: 480 }, deadLettered: { late: 2 }, late: 2, commitMs: 12.3 } },
    ]);
    expect(passedOn).toEqual(['batchProcessed', 'batchProcessed', 'checkpointCommitted']);
  });

  it('keeps checkpoints apart when observations arrive in one go (relayed from the processing thread), and skips idle ones', async () => {
    const { observer, lines } = observed();
    observer.batchProcessed('t', p0, 10, 0);
    observer.checkpointCommitted('t', 0.001);
    observer.recordsProduced('t', 'out', 10);
    observer.checkpointCommitted('t', 0.001); // a punctuation with nothing in or out
    observer.batchProcessed('t', p1, 5, 0);
    observer.checkpointCommitted('t', 0.001);
    await Promise.resolve();
    expect(lines.map((l) => [l.message, l.fields?.records, l.fields?.produced])).toEqual([
      ['checkpoint committed', 10, { out: 10 }],
      ['checkpoint committed', 5, {}],
    ]);
  });

  it('sums a round of gauges into one line', async () => {
    const { observer, lines } = observed();
    observer.lag('t', p0, 7);
    observer.lag('t', p1, 3);
    observer.openWindows('t', p0, 4);
    await Promise.resolve();
    expect(lines).toEqual([{ level: 'debug', message: 'gauges', fields: { topology: 't', lag: 10, lagByPartition: { 'in[0]': 7, 'in[1]': 3 }, openWindows: 4 } }]);
  });
});
