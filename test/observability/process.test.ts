import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../proxy/nginx.js';
import { REPO_ROOT } from '../support/paths.js';

/**
 * The real `eid-idp start` process: JSON logs on stdout, /healthz and /readyz, /metrics on
 * its own loopback listener, and a graceful SIGTERM that stops accepting connections but
 * finishes a request already in flight.
 */
describe('the eid-idp process', () => {
  let child: ChildProcess;
  let dataDir: string;
  let stdout = '';
  let stderr = '';
  let exit: Promise<number | null>;
  const ports = { oidc: 0, certificate: 0, metrics: 0, relyingParty: 0 };

  before(async () => {
    ports.oidc = await freePort();
    ports.certificate = await freePort();
    ports.metrics = await freePort();
    ports.relyingParty = await freePort();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-process-'));
    child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), 'start'], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH,
        HOME: dataDir,
        EID_IDP_DATA_DIR: dataDir,
        // The demo supplies the trust anchors (its own test PKI) and a relying party.
        EID_IDP_DEMO_RP_URL: `http://localhost:${ports.relyingParty}`,
        EID_IDP_ISSUER: `https://localhost:${ports.oidc}`,
        EID_IDP_CERTIFICATE_ORIGIN: `https://localhost:${ports.certificate}`,
        EID_IDP_OIDC_PORT: String(ports.oidc),
        EID_IDP_CERTIFICATE_PORT: String(ports.certificate),
        EID_IDP_METRICS_PORT: String(ports.metrics),
        EID_IDP_SHUTDOWN_GRACE_SECONDS: '30',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => stdout.includes('eid-idp is running'), () => `did not start:\n${stdout}\n${stderr}`);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const caPem = () => readFileSync(path.join(dataDir, 'tls', 'development-ca.pem'), 'utf8');

  it('answers /healthz and /readyz on the OIDC origin', async () => {
    const health = await httpsGet(ports.oidc, '/healthz', caPem());
    assert.equal(health.status, 200);
    const ready = await httpsGet(ports.oidc, '/readyz', caPem());
    assert.equal(ready.status, 200);
    assert.match(ready.body, /"store":"memory"/);
  });

  it('serves Prometheus metrics on its own loopback listener, not on the public origin', async () => {
    const metrics = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /# TYPE eid_idp_logins_total counter/);
    assert.match(text, /eid_idp_process_cpu_seconds_total/);
    const onOrigin = await httpsGet(ports.oidc, '/metrics', caPem());
    assert.notEqual(onOrigin.status, 200);
  });

  it('logs JSON lines with a service name and request ids, without secrets', async () => {
    await httpsGet(ports.oidc, '/interaction/unknown-uid', caPem());
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.equal(line.service, 'eid-idp');
      assert.ok(typeof line.level === 'string' && typeof line.time === 'string');
    }
    const keys = readFileSync(path.join(dataDir, 'secrets', 'cookie-keys'), 'utf8').trim();
    assert.ok(!stdout.includes(keys), 'cookie keys never logged');
  });

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    // A token request whose body is still arriving: in flight when the signal comes.
    const socket = tls.connect({ host: '127.0.0.1', port: ports.oidc, servername: 'localhost', ca: caPem() });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const body = 'grant_type=authorization_code&code=none&redirect_uri=https%3A%2F%2Frp.example%2Fcb';
    socket.write(
      `POST /token HTTP/1.1\r\nHost: localhost:${ports.oidc}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n` +
        body.slice(0, 10),
    );
    let response = '';
    socket.on('data', (chunk) => (response += String(chunk)));
    const answered = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    // The server has the request head once it has parsed it; a /healthz round trip on
    // another connection orders us after that on the same event loop.
    await httpsGet(ports.oidc, '/healthz', caPem());

    child.kill('SIGTERM');
    await waitFor(() => stdout.includes('"shutdown.started"'), () => `no shutdown log:\n${stdout}`);
    await assert.rejects(httpsGet(ports.oidc, '/healthz', caPem()), 'new connections are refused');
    assert.equal(child.exitCode, null, 'still running while a request is in flight');

    socket.end(body.slice(10));
    await answered;
    assert.match(response, /^HTTP\/1\.1 (400|401) /, response.slice(0, 200));
    assert.match(response, /invalid_client|invalid_grant|invalid_request/);
    assert.equal(await exit, 0, stderr);
    assert.match(stdout, /"shutdown.finished"/);
  });
});

async function waitFor(condition: () => boolean, failure: () => string, attempts = 600): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(failure());
}

function httpsGet(port: number, requestPath: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      socket.write(`GET ${requestPath} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.once('error', reject);
    socket.once('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      if (!status) reject(new Error(`no HTTP answer: ${text.slice(0, 100)}`));
      else resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}
