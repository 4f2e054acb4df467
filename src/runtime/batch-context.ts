import { ERROR_HEADERS, type DeadLetterReason } from './error-headers.js';
import { fitDeadLetter, recordBytes, type OutputLimits } from './output-limits.js';
import type { InputRecord, OutputRecord, RecordHeaders, TaskCounters } from './records.js';

/**
 * What one batch accumulates while it runs: records to produce, in order, and
 * counters. Created per batch by the task; processors append to it.
 *
 * With `limits` (see {@link OutputLimits}) no record it collects is larger
 * than its topic accepts: a dead letter is cut to fit (`fitDeadLetter`), and
 * an output emitted with its origin ({@link emitFrom}) is replaced by a
 * `too-large` dead letter of that input. Outputs emitted without an origin
 * (window and table updates, built from state) are not checked.
 *
 * @example
 * ```ts
 * const ctx = new BatchContext(Date.now());
 * ctx.deadLetter(input, 'bus.dlq', 'invalid', 'ranges', 'speed_kmh out of range');
 * ctx.outputs.length; // 1
 * new BatchContext(Date.now(), new Map([['bus.dlq', 1_048_588]])); // cuts dead letters to fit
 * ```
 */
export class BatchContext {
  readonly outputs: OutputRecord[] = [];
  readonly counters: TaskCounters = { processed: 0, deadLettered: 0, late: 0, dropped: 0 };
  /**
   * In a task reading a repartition topic: the watermark its windows may close
   * at after this batch (see `OriginWatermarks`); undefined in a task reading a
   * source topic, whose windows follow the event times they see.
   */
  closeWatermark: number | undefined = undefined;

  constructor(
    readonly nowMs: number,
    private readonly limits?: OutputLimits,
  ) {}

  /** Appends a record to produce. */
  emit(record: OutputRecord): void {
    this.outputs.push(record);
  }

  /**
   * Appends a record built from `origin` by `step`; one larger than its topic
   * accepts is not produced: `origin` is dead-lettered to `deadLetter` with
   * reason `too-large` instead.
   */
  emitFrom(origin: InputRecord, deadLetter: string | undefined, step: string, record: OutputRecord): void {
    const limit = this.limits?.get(record.topic);
    if (limit !== undefined) {
      const bytes = recordBytes(record);
      if (bytes > limit) {
        const message = `its output to ${record.topic} would take ${bytes} bytes, over the ${limit} the topic accepts (its max.message.bytes, or the producer's message.max.bytes if lower)`;
        this.deadLetter(origin, deadLetter, 'too-large', step, message);
        return;
      }
    }
    this.outputs.push(record);
  }

  /**
   * Sends the ORIGINAL bytes of `origin` to `topic` with the error headers
   * (cut to fit the topic when they do not, see `fitDeadLetter`); counts a
   * drop when no dead-letter topic applies.
   */
  deadLetter(origin: InputRecord, topic: string | undefined, reason: DeadLetterReason, step: string, message: string): void {
    if (topic === undefined) {
      this.counters.dropped++;
      return;
    }
    this.counters.deadLettered++;
    const record: OutputRecord = {
      topic,
      partition: undefined,
      key: sourceKey(origin),
      value: origin.value,
      // Stamped now: a record stamped with an old event time could fall to the topic's
      // time retention before anyone reads it.
      timestamp: this.nowMs,
      headers: {
        ...origin.headers,
        [ERROR_HEADERS.sourceTimestamp]: Buffer.from(String(origin.timestamp)),
        [ERROR_HEADERS.reason]: Buffer.from(reason),
        [ERROR_HEADERS.step]: Buffer.from(step),
        [ERROR_HEADERS.message]: Buffer.from(message),
        ...sourceHeaders(origin),
      },
    };
    const limit = this.limits?.get(topic);
    this.outputs.push(limit === undefined ? record : fitDeadLetter(record, limit));
  }
}

/**
 * The key of the source record `origin` derives from: its own key, or after a
 * repartition the one carried in `sluice.source.key` (empty means none).
 *
 * @example
 * ```ts
 * sourceKey(repartitioned)?.toString(); // 'user_1108', not the group key 'page_view'
 * ```
 */
export function sourceKey(origin: InputRecord): Buffer | null {
  const carried = origin.headers[ERROR_HEADERS.sourceKey];
  if (carried === undefined) return origin.key;
  return carried.length === 0 ? null : carried;
}

/**
 * The `sluice.source.*` headers of a record: propagated ones when it came
 * through a repartition topic, else its own coordinates.
 *
 * @example
 * ```ts
 * sourceHeaders(input)['sluice.source.offset']?.toString(); // '41'
 * ```
 */
export function sourceHeaders(origin: InputRecord): RecordHeaders {
  const h = origin.headers;
  const topic = h[ERROR_HEADERS.sourceTopic];
  const partition = h[ERROR_HEADERS.sourcePartition];
  const offset = h[ERROR_HEADERS.sourceOffset];
  if (topic !== undefined && partition !== undefined && offset !== undefined) {
    return { [ERROR_HEADERS.sourceTopic]: topic, [ERROR_HEADERS.sourcePartition]: partition, [ERROR_HEADERS.sourceOffset]: offset };
  }
  return {
    [ERROR_HEADERS.sourceTopic]: constantBytes(origin.topic),
    [ERROR_HEADERS.sourcePartition]: constantBytes(origin.partition),
    [ERROR_HEADERS.sourceOffset]: Buffer.from(String(origin.offset)),
  };
}

// Topic names and partition numbers repeat on every record: encode each once.
// Buffers handed out here are shared, so they must never be written to.
const constants = new Map<string | number, Buffer>();
function constantBytes(value: string | number): Buffer {
  let bytes = constants.get(value);
  if (bytes === undefined) {
    if (constants.size > 10_000) constants.clear();
    bytes = Buffer.from(String(value));
    constants.set(value, bytes);
  }
  return bytes;
}
