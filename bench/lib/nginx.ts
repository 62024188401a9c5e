import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from './load.js';
import { stopChild, type StartedServer } from './proc.js';

/**
 * Baseline (b): Debian's nginx terminating TLS with `ssl_verify_client on` against the bench
 * PKI, the same server key and certificate as the IdP, TLS 1.2 only, no session tickets and
 * no session cache (every handshake full, like the certificate origin), one process
 * (`master_process off`) so its CPU is one /proc entry, pinned to the server core.
 */
export async function startNginx(options: {
  dir: string;
  port: number;
  core: string;
  tlsCertPem: string;
  tlsKeyPem: string;
  clientCaPem: string;
}): Promise<StartedServer> {
  mkdirSync(options.dir, { recursive: true });
  const file = (name: string, text: string) => {
    const target = path.join(options.dir, name);
    writeFileSync(target, text, { mode: 0o600 });
    return target;
  };
  const cert = file('server.pem', options.tlsCertPem);
  const key = file('server.key', options.tlsKeyPem);
  const clientCa = file('client-ca.pem', options.clientCaPem);
  const conf = file(
    'nginx.conf',
    `daemon off;
master_process off;
worker_processes 1;
pid ${options.dir}/nginx.pid;
error_log ${options.dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${options.dir}/body;
  proxy_temp_path ${options.dir}/proxy;
  fastcgi_temp_path ${options.dir}/fastcgi;
  uwsgi_temp_path ${options.dir}/uwsgi;
  scgi_temp_path ${options.dir}/scgi;
  server {
    listen 127.0.0.1:${options.port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2;
    ssl_session_tickets off;
    ssl_session_cache off;
    ssl_client_certificate ${clientCa};
    ssl_verify_client on;
    ssl_verify_depth 3;
    keepalive_timeout 0;
    location / { return 200 "ok"; }
  }
}
`,
  );
  const child = spawn('taskset', ['-c', options.core, 'nginx', '-e', path.join(options.dir, 'error.log'), '-p', options.dir, '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => {
    errors += String(chunk);
  });
  // nginx prints nothing when ready: wait until it accepts connections.
  const net = await import('node:net');
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${errors}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(options.port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    if (attempt > 100) throw new Error(`nginx did not start: ${errors}`);
    await sleep(50);
  }
  return {
    child,
    ready: { pid: child.pid! },
    pids: [child.pid!],
    stderr: () => errors,
    stop: () => stopChild(child),
  };
}
