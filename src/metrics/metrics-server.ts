import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** Default port of `/metrics`, `/healthz` and `/readyz` (override with `SLUICE_METRICS_PORT`; 0 picks a free port). */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * Serves `/metrics` (Prometheus text format), `/healthz` (the process is
 * alive) and `/readyz` (tasks assigned and restored) for orchestrators.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer({ registry: metrics.registry, ready: () => metrics.ready, port: 9464 });
 * // curl localhost:9464/metrics
 * await server.close();
 * ```
 */
export async function startMetricsServer(options: {
  registry: Registry;
  ready: () => boolean;
  /** The text of a 503 from `/readyz` (default: tasks are being assigned or restored). */
  notReadyReason?: () => string | undefined;
  port: number;
  host?: string;
  /** When the port is taken, listen on a free one instead of failing (several `sluice run` on one machine). */
  fallbackToFreePort?: boolean;
}): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.ready();
      const reason = ready ? undefined : (options.notReadyReason?.() ?? 'tasks are being assigned or restored');
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : `not ready: ${reason}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics, /healthz or /readyz\n');
    }
  });
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (!options.fallbackToFreePort) throw new Error(`metrics port ${options.port} is taken: set SLUICE_METRICS_PORT to a free port (0 picks one)`);
    await listen(0);
  }
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
