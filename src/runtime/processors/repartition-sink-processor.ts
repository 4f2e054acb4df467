import type { RepartitionSinkNode } from '../../plan/plan-node.js';
import type { AvroCodec } from '../../serde/index.js';
import { errorMessage, sourceHeaders, type BatchContext } from '../batch-context.js';
import { EVENT_TIME_HEADER } from '../event-time.js';
import type { Envelope } from '../envelope.js';
import type { Processor } from './processor.js';

/**
 * Re-keys records and writes them to the repartition topic: key = the group
 * key (UTF-8, partitioned by murmur2 like any Kafka producer), timestamp =
 * event time, headers = the original source coordinates.
 *
 * @example
 * ```ts
 * new RepartitionSinkProcessor(node, codec).run(envelopes, ctx);
 * ```
 */
export class RepartitionSinkProcessor implements Processor {
  constructor(
    private readonly node: RepartitionSinkNode,
    private readonly codec: AvroCodec<unknown>,
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { topic, key, name, deadLetter } = this.node;
    for (const env of envelopes) {
      let groupKey: string;
      try {
        groupKey = key(env.value);
        if (typeof groupKey !== 'string') throw new TypeError(`the key must be a string, got ${typeof groupKey}`);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'error', name, `key selector threw: ${errorMessage(error)}`);
        continue;
      }
      let value: Buffer;
      try {
        value = this.codec.encode(env.value);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'serialize', name, errorMessage(error));
        continue;
      }
      ctx.emit({
        topic,
        partition: undefined,
        key: Buffer.from(groupKey),
        value,
        timestamp: env.eventTime,
        headers: { ...sourceHeaders(env.origin), [EVENT_TIME_HEADER]: Buffer.from(String(env.eventTime)) },
      });
    }
  }
}
