import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { IdpMetrics } from '../observability/metrics.js';
import { listenOn } from './listeners.js';

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on a listener of its own (plain HTTP; loopback by default), apart from
 * both public origins, so that the internet never reaches it through the proxy. With a token,
 * a scraper must send `Authorization: Bearer <token>`.
 */
export async function serveMetrics(options: {
  metrics: IdpMetrics;
  host: string;
  port: number;
  token?: string;
  logger: Logger;
}): Promise<MetricsListener> {
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
        return;
      }
    }
    options.metrics.exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (error: unknown) => {
        options.logger.error({ event: 'metrics.failed', err: error }, 'metrics exposition failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('error\n');
      },
    );
  });
  const port = await listenOn(server, options.port, options.host);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
