import { MessageChannel } from 'node:worker_threads';
import type { StreamTransport } from '../../src/runtime/stream-transport.js';
import { remoteStreamTransport } from '../../src/worker/remote-stream-transport.js';
import { serveStreamTransport } from '../../src/worker/serve-stream-transport.js';

/**
 * `transport` as a runner on a processing thread sees it: through
 * `remoteStreamTransport` and `serveStreamTransport` over a message channel
 * (packed batches, reading ahead, queued produces), here within one thread.
 * `close()` closes the relay, not `transport` itself.
 */
export function relayedTransport(transport: StreamTransport): { transport: StreamTransport; close(): Promise<void> } {
  const { port1, port2 } = new MessageChannel();
  const server = serveStreamTransport(port1, transport, () => {});
  const remote = remoteStreamTransport(port2);
  return {
    transport: remote,
    async close() {
      remote.close();
      await server.close();
    },
  };
}
