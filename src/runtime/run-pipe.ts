import { AsyncLocalStorage } from 'node:async_hooks';
import { Subject, type Observable, type OperatorFunction } from 'rxjs';
import type { Envelope } from './envelope.js';

/**
 * Records a step dropped because user code failed on them, with the error.
 *
 * @example
 * ```ts
 * const failed: PipeFailure = { envelope, error: new Error('boom') };
 * ```
 */
export interface PipeFailure {
  readonly envelope: Envelope;
  readonly error: unknown;
}

/**
 * A user operator chain that errored and could not be tied to one input record
 * (e.g. an error raised from a timer no record started): the batch fails.
 *
 * @example
 * ```ts
 * await runPipe(ops, envelopes).catch((e) => e instanceof PipeError); // retry the batch
 * ```
 */
export class PipeError extends Error {
  override readonly name = 'PipeError';
}

const context = new AsyncLocalStorage<Envelope>();

/**
 * Runs one batch through a user operator chain as a finite stream: feed every
 * record, complete, wait for completion. The chain is built once per batch
 * (never per record).
 *
 * Each emitted value inherits the envelope (key, event time, origin) of the
 * input record that caused it: the record being fed for synchronous
 * operators, the record whose callback scheduled the emission for promises
 * and timers (followed with `AsyncLocalStorage`), and the batch's last record
 * for values flushed at completion (`bufferTime`, `toArray`).
 *
 * When user code throws, the input record responsible goes to `failures`
 * and the batch is run again without it (operators are re-created, so the
 * chain must not keep state outside itself).
 *
 * @example
 * ```ts
 * const { outputs, failures } = await runPipe([filter((e: Bus) => e.speed_kmh > 100)], envelopes);
 * ```
 */
export async function runPipe(
  operators: readonly OperatorFunction<unknown, unknown>[],
  input: readonly Envelope[],
): Promise<{ readonly outputs: Envelope[]; readonly failures: PipeFailure[] }> {
  const failures: PipeFailure[] = [];
  if (operators.length === 0 || input.length === 0) return { outputs: [...input], failures };
  let remaining = input;
  for (;;) {
    const attempt = await runOnce(operators, remaining);
    if (attempt.ok) return { outputs: attempt.outputs, failures };
    if (attempt.culprit === undefined) {
      throw new PipeError(`an operator failed outside any record's processing: ${String(attempt.error)}`, { cause: attempt.error });
    }
    failures.push({ envelope: attempt.culprit, error: attempt.error });
    const culprit = attempt.culprit;
    remaining = remaining.filter((env) => env !== culprit);
  }
}

type Attempt =
  | { readonly ok: true; readonly outputs: Envelope[] }
  | { readonly ok: false; readonly error: unknown; readonly culprit: Envelope | undefined };

function runOnce(operators: readonly OperatorFunction<unknown, unknown>[], input: readonly Envelope[]): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    const subject = new Subject<unknown>();
    let stream: Observable<unknown> = subject.asObservable();
    for (const op of operators) stream = op(stream);
    const outputs: Envelope[] = [];
    const last = input[input.length - 1];
    let current: Envelope | undefined;
    let done = false;
    stream.subscribe({
      next(value) {
        const from = context.getStore() ?? current ?? last;
        if (from === undefined) return; // emitted with no input record at all: nothing to attribute it to
        outputs.push({ value, key: from.key, eventTime: from.eventTime, watermark: from.watermark, origin: from.origin });
      },
      error(error: unknown) {
        done = true;
        resolve({ ok: false, error, culprit: context.getStore() ?? current });
      },
      complete() {
        done = true;
        resolve({ ok: true, outputs });
      },
    });
    const feed = (value: unknown): void => subject.next(value);
    for (const env of input) {
      if (done) break;
      current = env;
      context.run(env, feed, env.value);
    }
    current = undefined;
    subject.complete();
  });
}
