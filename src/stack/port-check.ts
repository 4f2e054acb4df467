import { createConnection, createServer } from 'node:net';

/**
 * Whether something already listens on a local TCP port.
 *
 * @example
 * ```ts
 * if (await portInUse(9092)) console.log('9092 is taken');
 * ```
 */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(true));
    server.once('listening', () => server.close(() => resolvePromise(false)));
    server.listen(port, host);
  });
}

/**
 * Whether a TCP connection to host:port is accepted within the timeout.
 *
 * @example
 * ```ts
 * await canConnect('127.0.0.1', 5432, 1000); // true when PostgreSQL listens
 * ```
 */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
