import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test can stop and start: an outage of whatever is behind it
 * (the schema registry), in any stack mode, without touching the real service.
 * `stop()` closes the listener and cuts every open connection (so kept-alive
 * HTTP sockets fail too); `start()` listens again on the same port.
 */
export class TcpProxy {
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  /** Connections accepted so far (to tell that the client really came through). */
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Forwards `http://host:port/path` through the proxy: same path, the proxy's port. */
  static forUrl(url: string): { proxy: TcpProxy; rewrite: () => string } {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || (target.protocol === 'https:' ? 443 : 80)));
    return {
      proxy,
      rewrite: () => {
        const via = new URL(url);
        via.hostname = '127.0.0.1';
        via.port = String(proxy.port);
        return via.toString().replace(/\/+$/, '');
      },
    };
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      this.connections += 1;
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
