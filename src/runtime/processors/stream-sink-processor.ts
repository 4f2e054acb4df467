import type { StreamSinkNode } from '../../plan/plan-node.js';
import type { AvroCodec } from '../../serde/index.js';
import type { BatchContext } from '../batch-context.js';
import type { Envelope } from '../envelope.js';
import type { Processor } from './processor.js';
import { errorText } from '../../error-text.js';

/**
 * Writes records to an output topic, Avro-encoded, keeping their keys;
 * a value that does not fit the schema is dead-lettered (`serialize`), one
 * larger than the topic accepts too (`too-large`).
 *
 * @example
 * ```ts
 * new StreamSinkProcessor(node, codec).run(envelopes, ctx);
 * ```
 */
export class StreamSinkProcessor implements Processor {
  constructor(
    private readonly node: StreamSinkNode,
    private readonly codec: AvroCodec<unknown>,
  ) {}

  async run(envelopes: readonly Envelope[], ctx: BatchContext): Promise<void> {
    const { topic, deadLetter, name } = this.node;
    for (const env of envelopes) {
      let value: Buffer;
      try {
        value = this.codec.encode(env.value);
      } catch (error) {
        ctx.deadLetter(env.origin, deadLetter, 'serialize', name, errorText(error));
        continue;
      }
      ctx.emitFrom(env.origin, deadLetter, name, { topic, partition: undefined, key: env.key, value, timestamp: env.eventTime, headers: {} });
    }
  }
}
