import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { requireCommand } from '../support/tools.js';

/** The deployment's nginx template (also used by docker-compose.yml through the nginx image). */
export const NGINX_TEMPLATE = path.join(REPO_ROOT, 'deploy', 'nginx', 'eid-idp.conf.template');

export interface NginxTemplateValues {
  EID_IDP_OIDC_LISTEN: string;
  EID_IDP_CERTIFICATE_LISTEN: string;
  EID_IDP_OIDC_SERVER_NAME: string;
  EID_IDP_CERTIFICATE_SERVER_NAME: string;
  EID_IDP_OIDC_UPSTREAM: string;
  EID_IDP_CERTIFICATE_UPSTREAM: string;
  EID_IDP_TLS_CERT: string;
  EID_IDP_TLS_KEY: string;
}

/**
 * Fills `${EID_IDP_*}` placeholders as the nginx image's envsubst does, and fails on a
 * placeholder without a value (envsubst would silently leave it empty).
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the template placeholder \${${name}}`);
    return value;
  });
}

/**
 * A prefix directory with a main nginx.conf that includes the rendered template, with the
 * pid file, logs and temp paths inside the prefix (nothing in /var), in the foreground.
 */
export function writeNginxPrefix(values: NginxTemplateValues, extraMain = ''): { prefix: string; conf: string } {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-nginx-'));
  // Workers may run as another user when the tests run as root: they must reach the prefix.
  chmodSync(prefix, 0o755);
  mkdirSync(path.join(prefix, 'logs'));
  mkdirSync(path.join(prefix, 'temp'));
  writeFileSync(path.join(prefix, 'eid-idp.conf'), renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), { ...values }));
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/logs/error.log info;`,
      extraMain,
      'events { worker_connections 64; }',
      'http {',
      `    access_log ${prefix}/logs/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `    ${kind}_temp_path ${prefix}/temp/${kind};`,
      ),
      `    include ${prefix}/eid-idp.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  return { prefix, conf };
}

export function nginxBinary(): string {
  requireCommand('nginx', 'nginx');
  return '/usr/sbin/nginx';
}

/** `nginx -t` on a configuration: its verdict and what it said. */
export function nginxConfigTest(prefix: string, conf: string): { ok: boolean; output: string } {
  const result = spawnSync(nginxBinary(), ['-t', '-p', prefix, '-c', conf, '-e', path.join(prefix, 'logs', 'error.log')], {
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface RunningNginx {
  prefix: string;
  errorLog(): string;
  close(): Promise<void>;
}

/** Starts real nginx on a rendered configuration and waits until it accepts connections. */
export async function startNginx(values: NginxTemplateValues, ports: number[]): Promise<RunningNginx> {
  const { prefix, conf } = writeNginxPrefix(values);
  const check = nginxConfigTest(prefix, conf);
  if (!check.ok) throw new Error(`nginx -t refused the configuration:\n${check.output}`);
  const child: ChildProcess = spawn(nginxBinary(), ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'logs', 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const port of ports) await waitForPort(port, () => child.exitCode !== null, () => stderr);
  return {
    prefix,
    errorLog: () => readFileSync(path.join(prefix, 'logs', 'error.log'), 'utf8'),
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, dead: () => boolean, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (dead()) throw new Error(`nginx exited: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${stderr()}`);
}

/** A port free right now (bound and released); for servers that need it before they start. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
