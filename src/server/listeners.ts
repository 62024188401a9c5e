import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type Koa from 'koa';
import type { Logger } from '../observability/logger.js';
import { handleClientErrors } from './client-error-handler.js';

export interface Listener {
  server: https.Server | http.Server;
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  /** Attaches the app; requests before that are refused by closing the connection. */
  serve(app: Koa): void;
  close(): Promise<void>;
}

/**
 * Binds an HTTPS listener. The app is attached afterwards, so that a listener asked to bind
 * port 0 (tests) knows its port before the issuer URL is fixed.
 */
export async function bindHttps(options: {
  tls: TlsOptions;
  host: string;
  port: number;
  logger: Logger;
  name: 'oidc' | 'certificate';
  /**
   * `http`: plain HTTP behind a TLS-terminating proxy (listen.*.protocol); the TLS options
   * are then unused.
   */
  protocol?: 'https' | 'http';
  /** Largest request head; raised on a proxied certificate origin, whose header holds a chain. */
  maxHeaderSize?: number;
}): Promise<Listener> {
  const server =
    options.protocol === 'http'
      ? http.createServer({ maxHeaderSize: options.maxHeaderSize })
      : https.createServer(options.maxHeaderSize ? { ...options.tls, maxHeaderSize: options.maxHeaderSize } : options.tls);
  handleClientErrors(server, options.logger, options.name);
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => {
    // Browsers open and drop spare connections; a reset handshake is routine, not a failure.
    const level = error.code === 'ECONNRESET' ? 'debug' : 'info';
    options.logger[level]({ event: 'tls.client_error', listener: options.name, code: error.code });
  });
  const port = await listenOn(server, options.port, options.host);
  return {
    server,
    port,
    serve: (app) => {
      server.on('request', app.callback());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Binds `server` and resolves with the port actually bound, or rejects (port taken…). */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
