import tls from 'node:tls';
import { totalCpu } from './proc.js';
import { round } from './stats.js';

/**
 * Many fresh TLS handshakes presenting a client certificate, each followed by one request and
 * the server closing the connection: the certificate route's work without the rest of the
 * login. Server CPU per handshake is read from /proc over the whole batch.
 */
export interface HandshakeTarget {
  port: number;
  /** The request path of handshake `i` (the IdP needs a live interaction per request). */
  path: (i: number) => string;
  /** Status the server must answer. */
  expectStatus: number;
  /** A urlencoded form to POST with request `i` (the IdP's step token); GET without. */
  form?: (i: number) => string;
}

export interface HandshakeResult {
  handshakes: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  serverCpuMsPerHandshake: number;
}

export async function runHandshakes(
  target: HandshakeTarget,
  options: {
    count: number;
    concurrency: number;
    cards: { cert: string; key: string }[];
    caPem: string;
    serverPids: number[];
  },
): Promise<HandshakeResult> {
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  // Secure contexts are built once per card: building one is the client's cost, not the server's.
  const contexts = options.cards.map((card) =>
    tls.createSecureContext({ cert: card.cert, key: card.key, ca: options.caPem, maxVersion: 'TLSv1.2' }),
  );
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: target.port,
        servername: 'localhost',
        secureContext: contexts[i % contexts.length],
        session: undefined,
      });
      let answer = '';
      const fail = (reason: string) => {
        errors += 1;
        firstError ??= reason;
        socket.destroy();
        resolve();
      };
      socket.once('secureConnect', () => {
        const form = target.form?.(i);
        socket.write(
          form === undefined
            ? `GET ${target.path(i)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`
            : `POST ${target.path(i)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
                `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(form)}\r\n\r\n${form}`,
        );
      });
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.once('error', (error) => fail(error.message));
      socket.once('end', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
        if (status !== target.expectStatus) fail(`status ${status}: ${answer.slice(0, 200)}`);
        else {
          socket.destroy();
          resolve();
        }
      });
    });
  const worker = async () => {
    while (next < options.count) await one(next++);
  };
  const cpuStart = totalCpu(options.serverPids);
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = totalCpu(options.serverPids) - cpuStart;
  const done = options.count - errors;
  return {
    handshakes: done,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: round(seconds, 2),
    perSecond: round(done / seconds, 1),
    serverCpuMsPerHandshake: round((cpu * 1000) / Math.max(1, done), 3),
  };
}
