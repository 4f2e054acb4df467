import { bufferCount, delay, filter, map, mergeMap, Observable, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, test } from 'vitest';
import type { Envelope } from '../../../src/runtime/envelope.js';
import { PipeError, runPipe } from '../../../src/runtime/run-pipe.js';

const env = (value: number, eventTime: number): Envelope => ({
  value,
  key: Buffer.from(`k${value}`),
  eventTime,
  watermark: Number.NEGATIVE_INFINITY,
  origin: { topic: 't', partition: 0, offset: BigInt(value), timestamp: eventTime, key: null, value: null, headers: {} },
});
const ops = (...o: OperatorFunction<never, unknown>[]) => o as unknown as OperatorFunction<unknown, unknown>[];
const input = [env(1, 100), env(2, 200), env(3, 300)];

describe('runPipe: a batch as a finite stream', () => {
  test('synchronous operators: outputs keep their input record', async () => {
    const { outputs } = await runPipe(ops(filter((v: number) => v !== 2), map((v: number) => v * 10)), input);
    expect(outputs.map((o) => [o.value, o.eventTime, o.key?.toString()])).toEqual([
      [10, 100, 'k1'],
      [30, 300, 'k3'],
    ]);
  });

  test('promises resolving out of order still carry their own record', async () => {
    const slowFirst = mergeMap((v: number) => new Promise<number>((resolve) => setTimeout(() => resolve(v + 0.5), (4 - v) * 5)));
    const { outputs } = await runPipe(ops(slowFirst), input);
    expect(outputs.map((o) => [o.value, o.eventTime])).toEqual([
      [3.5, 300],
      [2.5, 200],
      [1.5, 100],
    ]);
  });

  test('timers (delay) finish inside the batch and keep their record', async () => {
    const { outputs } = await runPipe(ops(delay(5), map((v: number) => -v)), input);
    expect(outputs.map((o) => [o.value, o.origin.offset])).toEqual([
      [-1, 1n],
      [-2, 2n],
      [-3, 3n],
    ]);
  });

  test('values flushed at completion (toArray) take the last record of the batch', async () => {
    const { outputs } = await runPipe(ops(toArray()), input);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.value).toEqual([1, 2, 3]);
    expect(outputs[0]?.eventTime).toBe(300);
  });

  test('operator state lasts one batch', async () => {
    const pairs = ops(bufferCount(2));
    expect((await runPipe(pairs, input)).outputs.map((o) => o.value)).toEqual([[1, 2], [3]]);
    expect((await runPipe(pairs, input)).outputs.map((o) => o.value)).toEqual([[1, 2], [3]]);
  });

  test('a synchronous throw fails only its record; the rest of the batch runs again', async () => {
    const { outputs, failures } = await runPipe(
      ops(
        map((v: number) => {
          if (v === 2) throw new Error('two');
          return v;
        }),
      ),
      input,
    );
    expect(outputs.map((o) => o.value)).toEqual([1, 3]);
    expect(failures.map((f) => [f.envelope.value, (f.error as Error).message])).toEqual([[2, 'two']]);
  });

  test('an async rejection fails its own record', async () => {
    const { outputs, failures } = await runPipe(
      ops(mergeMap(async (v: number) => (v === 3 ? Promise.reject(new Error('three')) : v))),
      input,
    );
    expect(outputs.map((o) => o.value).sort()).toEqual([1, 2]);
    expect(failures.map((f) => f.envelope.value)).toEqual([3]);
  });

  test('an error no record caused fails the batch', async () => {
    const failsAtCompletion: OperatorFunction<unknown, unknown> = (source) =>
      new Observable((sub) => source.subscribe({ next: (v) => sub.next(v), complete: () => sub.error(new Error('at completion')) }));
    await expect(runPipe([failsAtCompletion], input)).rejects.toBeInstanceOf(PipeError);
  });
});
