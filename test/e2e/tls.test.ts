import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, relyingParty, stepRequestText, stepTokenOf } from '../support/login-flow.js';
import { openssl } from '../support/openssl.js';
import { writeCredentials } from '../support/pki.js';

/**
 * The certificate origin's TLS, seen from OpenSSL's command-line client: what a DNIe can
 * do (TLS 1.2, PKCS#1 v1.5 with SHA-256), and nothing that could carry one person's
 * certificate into another's login.
 */
describe('the certificate origin speaks TLS the way eID cards need', () => {
  let idp: TestIdp;
  let credentials: Awaited<ReturnType<typeof writeCredentials>>;
  let caFile: string;
  let port: string;

  before(async () => {
    idp = await startTestIdp();
    credentials = await writeCredentials(await idp.pki.citizen());
    caFile = path.join(credentials.dir, 'tls-ca.pem');
    writeFileSync(caFile, idp.tlsCaPem);
    port = new URL(idp.certificateOrigin).port;
  });
  after(() => idp.close());

  const client = (...extra: string[]) => [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    '-servername',
    'localhost',
    '-CAfile',
    caFile,
    '-cert',
    credentials.cert,
    '-key',
    credentials.key,
    ...extra,
  ];

  it('signs in a card that can only sign PKCS#1 v1.5 with SHA-256 over TLS 1.2', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid, loginPage } = await beginLogin(idp, browser, await relyingParty(idp));
    const request = stepRequestText(`localhost:${port}`, uid, stepTokenOf(loginPage));
    const run = await openssl(client('-tls1_2', '-sigalgs', 'RSA+SHA256'), {
      input: request,
      until: /handle=/,
    });
    assert.match(run.stdout, /Protocol\s*: TLSv1\.2/);
    assert.match(run.stdout, /Peer signature type: RSA\b/);
    assert.match(run.stdout, /HTTP\/1\.1 303/);
    assert.match(run.stdout, new RegExp(`/interaction/${uid}/callback\\?handle=`));
    assert.match(run.stdout, /[Cc]onnection: close/);
  });

  it('names the trusted card issuers in its certificate request', async () => {
    const run = await openssl(client('-tls1_2'));
    const hints = run.stdout.split('Acceptable client certificate CA names')[1] ?? '';
    assert.match(hints, /CN = TEST RAIZ DNIE/);
  });

  it('does not offer TLS 1.3, which DNIe cards cannot use for client authentication', async () => {
    const run = await openssl(client('-tls1_3'));
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /alert protocol version/);
  });

  it('never resumes a session: each login is a full handshake with its own certificate', async () => {
    const sessionFile = path.join(credentials.dir, 'session.pem');
    const first = await openssl(client('-tls1_2', '-sess_out', sessionFile));
    assert.match(first.stdout, /^New, TLSv1\.2/m);
    const second = await openssl(client('-tls1_2', '-sess_in', sessionFile));
    assert.match(second.stdout, /^New, TLSv1\.2/m);
    assert.doesNotMatch(second.stdout, /^Reused/m);
    assert.doesNotMatch(first.stdout, /TLS session ticket:/);
  });

  it('refuses renegotiation', async () => {
    const run = await openssl(client('-tls1_2'), {
      input: 'R\n',
      until: /no renegotiation/,
      timeoutMs: 5000,
    });
    assert.match(run.stderr, /RENEGOTIATING/);
    assert.match(run.stderr, /no renegotiation/);
  });
});
