import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { cert, der } from '../pki/helpers.js';
import { runCli } from './run-cli.js';

/**
 * `eid-idp fetch-anchors`, run as a real process against an HTTP server on loopback that this
 * test starts (never the internet): a good root (DER), a good intermediate (PEM), a file that
 * is not the one the manifest pins, an oversized body and a 404.
 */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('eid-idp fetch-anchors', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const bodies = new Map<string, Uint8Array | string>();
  let manifest: string;
  let out: string;
  let rootSha: string;
  let intermediateSha: string;

  before(async () => {
    const root = await cert({ cn: 'Fetched Root', ca: {} });
    const intermediate = await cert({ cn: 'Fetched Issuing CA', ca: {}, issuer: root });
    const impostor = await cert({ cn: 'Fetched Root', ca: {} }); // same name, another key
    rootSha = sha256(der(root));
    intermediateSha = sha256(der(intermediate));
    bodies.set('/root.crt', der(root));
    bodies.set('/issuing.pem', certificatePem(intermediate.certificate));
    bodies.set('/tampered.crt', der(impostor));
    bodies.set('/huge.crt', new Uint8Array(1024 * 1024));

    server = createServer((request, response) => {
      const url = request.url ?? '';
      hits.set(url, (hits.get(url) ?? 0) + 1);
      const body = bodies.get(url);
      if (body === undefined) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const directory = mkdtempSync(path.join(tmpdir(), 'eid-fetch-anchors-'));
    out = path.join(directory, 'bundle');
    manifest = path.join(directory, 'manifest.yaml');
    const entry = (name: string, extra: Record<string, unknown>) => ({
      name,
      profile: 'es-dnie',
      environment: 'production',
      role: 'anchor',
      subject: `CN=${name}`,
      issuer: 'self-signed',
      ...extra,
    });
    writeFileSync(
      manifest,
      stringify({
        anchors: [
          entry('Good root', { sha256: rootSha, url: `${base}/root.crt`, file: 'root.pem' }),
          entry('Good issuing CA', {
            environment: 'test',
            role: 'intermediate',
            sha256: intermediateSha.replace(/(..)/g, '$1:').slice(0, -1).toUpperCase(),
            url: `${base}/issuing.pem`,
            file: 'issuing.pem',
          }),
          entry('Tampered root', { sha256: rootSha, url: `${base}/tampered.crt`, file: 'tampered.pem' }),
          entry('Huge', { sha256: rootSha, url: `${base}/huge.crt`, file: 'huge.pem' }),
          entry('Gone', { sha256: rootSha, url: `${base}/gone.crt`, file: 'gone.pem' }),
          entry('No URL', { sha256: rootSha, url: null, note: 'none published', file: 'nourl.pem' }),
          entry('No fingerprint', {
            sha256: null,
            url: `${base}/root.crt`,
            note: 'not known',
            file: 'nofp.pem',
          }),
        ],
      }),
    );
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('installs what matches its fingerprint, refuses the rest, and writes a loadable trust.yaml', async () => {
    const run = await runCli(['fetch-anchors', '--manifest', manifest, '--out', out]);
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);

    assert.match(run.stdout, /installed .*"Good root" -> root\.pem/);
    assert.match(run.stdout, /installed .*"Good issuing CA" -> issuing\.pem/);
    assert.match(run.stderr, /REFUSED .*"Tampered root".*SHA-256 [0-9a-f]{64} differs/);
    assert.match(run.stderr, /REFUSED .*"Huge".*bytes/);
    assert.match(run.stderr, /REFUSED .*"Gone".*HTTP 404/);
    assert.match(run.stdout, /skipped .*"No URL": no published download URL/);
    assert.match(run.stdout, /skipped .*"No fingerprint": fingerprint unknown/);

    assert.ok(existsSync(path.join(out, 'root.pem')));
    assert.ok(existsSync(path.join(out, 'issuing.pem')));
    for (const refused of ['tampered.pem', 'huge.pem', 'gone.pem', 'nourl.pem', 'nofp.pem']) {
      assert.equal(existsSync(path.join(out, refused)), false, refused);
    }
    assert.equal(hits.get('/root.crt'), 1, 'an entry without fingerprint is never downloaded');

    const store = await TrustStore.loadDirectories([out]);
    const [anchor, ...others] = store.anchors();
    assert.equal(others.length, 0);
    assert.equal(anchor?.certificate.sha256, rootSha);
    assert.equal(anchor?.profile, 'es-dnie');
    assert.equal(anchor?.environment, 'production');
    const trust = readFileSync(path.join(out, 'trust.yaml'), 'utf8');
    assert.match(trust, /intermediates:\n\s+- file: issuing\.pem/);
  });

  it('keeps verified files without downloading them again', async () => {
    const before = hits.get('/root.crt');
    const run = await runCli([
      'fetch-anchors',
      '--manifest',
      manifest,
      '--out',
      out,
      '--environment',
      'test',
    ]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /verified .*"Good issuing CA" \(already present\)/);
    assert.doesNotMatch(run.stdout, /Good root/, 'production entries filtered out');
    assert.equal(hits.get('/root.crt'), before);
  });

  it('replaces a file in the output directory that does not match its fingerprint', async () => {
    const stranger = await cert({ cn: 'Fetched Root', ca: {} });
    writeFileSync(path.join(out, 'root.pem'), certificatePem(stranger.certificate));
    const run = await runCli([
      'fetch-anchors',
      '--manifest',
      manifest,
      '--out',
      out,
      '--environment',
      'production',
    ]);
    // The local copy does not match: it is downloaded again and replaced by the right one.
    assert.match(run.stdout, /installed .*"Good root"/);
    const [replaced] = ParsedCertificate.fromPemOrDer(readFileSync(path.join(out, 'root.pem')));
    assert.equal(replaced?.sha256, rootSha);
  });

  it('names the file, line and setting of a broken manifest', async () => {
    const broken = path.join(path.dirname(manifest), 'broken.yaml');
    writeFileSync(
      broken,
      'anchors:\n  - name: x\n    profile: es-dnie\n    environment: staging\n    role: anchor\n' +
        '    subject: CN=x\n    issuer: self-signed\n    sha256: null\n    url: null\n' +
        '    note: n\n    file: null\n',
    );
    const run = await runCli(['fetch-anchors', '--manifest', broken, '--out', out]);
    assert.equal(run.code, 78, run.stderr);
    assert.match(run.stderr, /broken\.yaml: line 4: anchors\[0\]\.environment/);
  });
});
