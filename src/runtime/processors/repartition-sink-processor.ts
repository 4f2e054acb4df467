import type { RepartitionSinkNode } from '../../plan/plan-node.js';
import type { AvroCodec } from '../../serde/index.js';
import { sourceHeaders, sourceKey, type BatchContext } from '../batch-context.js';
import { ERROR_HEADERS } from '../error-headers.js';
import { EVENT_TIME_HEADER } from '../event-time.js';
import type { Envelope } from '../envelope.js';
import type { OutputRecord } from '../records.js';
import { WATERMARK_HEADERS, watermarkMarkers } from '../watermark-headers.js';
import type { Processor } from './processor.js';
import { errorText } from '../../error-text.js';

/** Stands for a source record without a key in `sluice.source.key`; shared, never written to. */
const EMPTY = Buffer.alloc(0);

/**
 * Re-keys records and writes them to the repartition topic: key = the group
 * key (UTF-8, partitioned by murmur2 like any Kafka producer), timestamp =
 * event time, headers = the original source coordinates, the event time, and
 * this task's identity and watermark (see `WATERMARK_HEADERS`).
 *
 * The watermark is the highest event time this task has sent through this
 * step, the record included. It survives restarts through the task's
 * committed progress ({@link RepartitionSinkProcessor.resume}), so a record's
 * stamp depends only on the records before it in its source partition —
 * never on timing. {@link RepartitionSinkProcessor.markers} tells every
 * partition of the topic how far this task has come.
 *
 * @example
 * ```ts
 * const sink = new RepartitionSinkProcessor(node, codec, { origin: '0.2', partitions: 3, key: code.key(node.name) });
 * await sink.run(envelopes, ctx);   // records stamped { 'sluice.origin': '0.2', 'sluice.watermark': '…' }
 * sink.markers(ctx.nowMs).length;   // 3 when the watermark moved, else 0
 * ```
 */
export class RepartitionSinkProcessor implements Processor {
  readonly #origin: Buffer;
  readonly #partitions: number;
  readonly #key: (value: unknown) => string;
  #watermark = Number.NEGATIVE_INFINITY;
  #watermarkBytes: Buffer = Buffer.from('-Infinity');
  #announced = Number.NEGATIVE_INFINITY;
  #idleAnnounced = false;

  constructor(
    private readonly node: RepartitionSinkNode,
    private readonly codec: AvroCodec<unknown>,
    where: { readonly origin: string; readonly partitions: number; readonly key: (value: unknown) => string },
  ) {
    this.#key = where.key;
    this.#origin = Buffer.from(where.origin);
    this.#partitions = where.partitions;
  }

  /** The repartition topic written. */
  get topic(): string {
    return this.node.topic;
  }

  /** Highest event time sent through this step; `-Infinity` before the first record. */
  get watermark(): number {
    return this.#watermark;
  }

  /** Continues from a watermark committed before a restart. */
  resume(watermark: number): void {
    if (watermark > this.#watermark) this.#setWatermark(watermark);
  }

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { topic, name, deadLetter } = this.node;
    const key = this.#key;
    for (const env of envelopes) {
      let groupKey: string;
      try {
        groupKey = key(env.value);
        if (typeof groupKey !== 'string') throw new TypeError(`the key must be a string, got ${typeof groupKey}`);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'error', name, `key selector threw: ${errorText(error)}`);
        continue;
      }
      let value: Buffer;
      try {
        value = this.codec.encode(env.value);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'serialize', name, errorText(error));
        continue;
      }
      if (env.eventTime > this.#watermark) this.#setWatermark(env.eventTime);
      ctx.emitFrom(env.origin, deadLetter, name, {
        topic,
        partition: undefined,
        key: Buffer.from(groupKey),
        value,
        timestamp: env.eventTime,
        headers: {
          ...sourceHeaders(env.origin),
          [ERROR_HEADERS.sourceKey]: sourceKey(env.origin) ?? EMPTY,
          [EVENT_TIME_HEADER]: Buffer.from(String(env.eventTime)),
          [WATERMARK_HEADERS.origin]: this.#origin,
          [WATERMARK_HEADERS.watermark]: this.#watermarkBytes,
        },
      });
    }
  }

  /**
   * Markers for every partition of the topic when the watermark moved since
   * the last ones, or when the task has become idle (`idle`: its input is
   * read to the end) or active again; otherwise none.
   */
  markers(nowMs: number, idle = false): OutputRecord[] {
    if (this.#watermark === this.#announced && idle === this.#idleAnnounced) return [];
    if (idle && this.#watermark === Number.NEGATIVE_INFINITY && this.#idleAnnounced) return [];
    this.#announced = this.#watermark;
    this.#idleAnnounced = idle;
    return watermarkMarkers(this.node.topic, this.#partitions, this.#origin, this.#watermark, idle, nowMs);
  }

  #setWatermark(watermark: number): void {
    this.#watermark = watermark;
    // Shared by every record stamped with this watermark; never written to.
    this.#watermarkBytes = Buffer.from(String(watermark));
  }
}
