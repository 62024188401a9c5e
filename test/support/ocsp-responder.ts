import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireCommand } from './tools.js';

const run = promisify(execFile);

/** A responder started for one test; `close()` stops it. */
export interface RunningResponder {
  url: string;
  /** Requests received (the hanging and garbage responders count them). */
  requests(): number;
  close(): Promise<void>;
}

export interface OpensslResponderOptions {
  indexFile: string;
  caFile: string;
  /** The signing certificate and key: the CA's own, or a designated responder's. */
  signerCertFile: string;
  signerKeyFile: string;
  /** nextUpdate = thisUpdate + this many minutes (`-nmin`); default one day (`-ndays 1`). */
  nextUpdateMinutes?: number;
  /** ResponderID byKey (`-resp_key_id`) instead of byName. */
  responderIdByKey?: boolean;
}

/**
 * A real `openssl ocsp` responder, answering from an `openssl ca` index.txt
 * (test/support/openssl-ca.ts). OpenSSL 3.0's `-port` takes a bare number and binds every
 * interface, so a loopback-only HTTP front receives each POST and hands the request to
 * `openssl ocsp -reqin … -respout …` (the same responder code, one process per request);
 * that also re-reads index.txt every time, so a revocation made mid-test is seen at once.
 */
export async function startOpensslResponder(options: OpensslResponderOptions): Promise<RunningResponder> {
  requireCommand('openssl', 'openssl');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-ocsp-'));
  let requests = 0;
  const answer = async (body: Buffer): Promise<Buffer> => {
    requests += 1;
    const requestFile = path.join(dir, `req-${requests}.der`);
    const responseFile = path.join(dir, `resp-${requests}.der`);
    writeFileSync(requestFile, body);
    await run('openssl', [
      'ocsp',
      '-index', options.indexFile,
      '-CA', options.caFile,
      '-rsigner', options.signerCertFile,
      '-rkey', options.signerKeyFile,
      '-reqin', requestFile,
      '-respout', responseFile,
      ...(options.nextUpdateMinutes === undefined
        ? ['-ndays', '1']
        : ['-nmin', String(options.nextUpdateMinutes)]),
      ...(options.responderIdByKey ? ['-resp_key_id'] : []),
    ]);
    return readFileSync(responseFile);
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer(Buffer.concat(chunks)).then(
        (der) => {
          response.writeHead(200, { 'content-type': 'application/ocsp-response' });
          response.end(der);
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(error.message);
        },
      );
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts connections and never answers: the responder that hangs. */
export async function startHangingResponder(): Promise<RunningResponder> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    requests += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers 200 application/ocsp-response with random bytes: the responder that talks garbage. */
export async function startGarbageResponder(): Promise<RunningResponder> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/ocsp-response' });
      response.end(randomBytes(256));
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}
