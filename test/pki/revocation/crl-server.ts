import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves CRLs over HTTP on loopback; `set(path, der)` changes what a path answers. */
export interface CrlServer {
  url(path: string): string;
  set(path: string, der: Uint8Array): void;
  downloads(path: string): number;
  close(): Promise<void>;
}

export async function startCrlServer(): Promise<CrlServer> {
  const files = new Map<string, Uint8Array>();
  const counts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const der = files.get(path);
    if (!der) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/pkix-crl' });
    response.end(Buffer.from(der));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, der) => files.set(path, der),
    downloads: (path) => counts.get(path) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
