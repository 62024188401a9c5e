import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, testTls, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  continueForm,
  loginWith,
  presentCertificate,
  relyingParty,
  stepForm,
  stepTokenOf,
} from '../support/login-flow.js';
import { makeDniePki } from '../support/pki.js';
import { freePort, startNginx, type RunningNginx } from './nginx.js';
import { plainRequest } from './plain-request.js';

/**
 * Real nginx (Debian's package) terminates TLS for both origins and the mutual TLS of the
 * certificate origin (TLS 1.2, optional_no_ca), and forwards $ssl_client_escaped_cert; the
 * IdP listens on plain HTTP on loopback and trusts 127.0.0.1 only. Spoofing attempts come
 * from 127.0.0.3, another loopback address the IdP does not trust.
 */
const UNTRUSTED_LOCAL_ADDRESS = '127.0.0.3';

describe('behind real nginx terminating mutual TLS', () => {
  let idp: TestIdp;
  let nginx: RunningNginx;
  let config: oidc.Configuration;

  before(async () => {
    const [oidcPort, certificatePort] = [await freePort(), await freePort()];
    idp = await startTestIdp({
      settings: {
        issuer: `https://localhost:${oidcPort}`,
        certificateOrigin: `https://localhost:${certificatePort}`,
        listen: {
          oidc: { host: '127.0.0.1', port: 0, protocol: 'http' },
          certificate: { host: '127.0.0.1', port: 0, protocol: 'http' },
        },
        proxy: {
          trustedProxies: ['127.0.0.1/32'],
          certificateHeader: { format: 'nginx' },
          maxHeaderBytes: 16384,
        },
      },
    });
    const tls = await testTls();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-nginx-tls-'));
    writeFileSync(path.join(dir, 'server.pem'), `${certificatePem(tls.server)}${certificatePem(tls.ca)}`);
    writeFileSync(path.join(dir, 'server.key'), tls.keyPem, { mode: 0o600 });
    nginx = await startNginx(
      {
        EID_IDP_OIDC_LISTEN: `127.0.0.1:${oidcPort}`,
        EID_IDP_CERTIFICATE_LISTEN: `127.0.0.1:${certificatePort}`,
        EID_IDP_OIDC_SERVER_NAME: 'localhost',
        EID_IDP_CERTIFICATE_SERVER_NAME: 'localhost',
        EID_IDP_OIDC_UPSTREAM: `127.0.0.1:${idp.ports.oidc}`,
        EID_IDP_CERTIFICATE_UPSTREAM: `127.0.0.1:${idp.ports.certificate}`,
        EID_IDP_TLS_CERT: path.join(dir, 'server.pem'),
        EID_IDP_TLS_KEY: path.join(dir, 'server.key'),
      },
      [oidcPort, certificatePort],
    );
    config = await relyingParty(idp);
  });

  after(async () => {
    await nginx?.close();
    await idp?.close();
  });

  it('a full login through nginx ends in a verified ID token', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const citizen = await idp.pki.citizen();
    const { claims } = await loginWith(idp, browser, config, citizen);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.name, 'JUAN ESPAÑOL ESPAÑOL');
    const accepted = idp.logLines().find((line) => line.event === 'certificate.accepted');
    assert.equal(accepted?.source, 'proxy:nginx');
    assert.ok(
      !idp.logLines().some((line) => line.code === 'PROXY_UNTRUSTED'),
      'a header honoured on the certificate route is not reported as ignored',
    );
    const text = JSON.stringify(idp.logLines());
    assert.doesNotMatch(text, /BEGIN%20CERTIFICATE|BEGIN CERTIFICATE|00000000T/, 'no certificate or identifier in the logs');
  });

  it('issuer, redirects and cookies are those of the public https origin', async () => {
    assert.equal(config.serverMetadata().issuer, idp.issuer);
    assert.ok(config.serverMetadata().authorization_endpoint?.startsWith(`${idp.issuer}/`), config.serverMetadata().authorization_endpoint);
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    assert.ok(started.loginPage.url.startsWith(`${idp.issuer}/interaction/`), started.loginPage.url);
    // oidc-provider scopes its interaction cookie to the interaction path.
    const cookies = await browser.jar.getCookies(started.loginPage.url);
    assert.ok(cookies.length > 0, 'cookies were set');
    for (const cookie of cookies) assert.equal(cookie.secure, true, `${cookie.key} is a secure cookie: ${cookie.toString()}`);
  });

  it('the TLS front speaks TLS 1.2 only on the certificate origin', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const card = await clientCertificateOf(await idp.pki.citizen());
    await assert.rejects(
      presentCertificate(idp, browser, started.uid, { ...card, tls: { minVersion: 'TLSv1.3' } }),
    );
  });

  it('the IdP still validates the chain: a certificate nginx accepted from an unknown CA is refused', async () => {
    const stranger = await (await makeDniePki({ rootCn: 'NOT TRUSTED ROOT' })).citizen();
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const answer = await presentCertificate(idp, browser, started.uid, await clientCertificateOf(stranger));
    assert.equal(answer.status, 403);
    assert.equal(answer.location, undefined);
    assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'CHAIN_UNTRUSTED'));
  });

  it('a header the browser sends itself through nginx is replaced: no certificate, no login', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const forged = encodeURIComponent(certificatePem(await idp.pki.citizen()));
    const answer = await browser.fetch(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`, {
      ...continueForm(started),
      clientCertificate: null,
      headers: { 'X-SSL-Client-Cert': forged },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.location, undefined);
    assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'CERT_MISSING'));
  });

  it('the header sent directly to the IdP from an untrusted address is ignored and logged', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const forged = encodeURIComponent(certificatePem(await idp.pki.citizen()));
    const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
      form: stepForm(stepTokenOf(started.loginPage)),
      headers: [['X-SSL-Client-Cert', forged]],
      localAddress: UNTRUSTED_LOCAL_ADDRESS,
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.location, undefined);
    const ignored = idp.logLines().find(
      (line) => line.code === 'PROXY_UNTRUSTED' && String(line.path).includes(started.uid),
    );
    assert.ok(ignored, 'PROXY_UNTRUSTED logged');
    assert.equal(ignored.peerNetwork, '127.0.0.0/24');
    assert.doesNotMatch(JSON.stringify(ignored), /BEGIN/);
  });

  it('X-Forwarded-Proto from an untrusted address is not believed', async () => {
    const answer = await plainRequest(idp.ports.oidc, '/healthz', {
      headers: [['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'evil.example']],
      localAddress: UNTRUSTED_LOCAL_ADDRESS,
    });
    assert.equal(answer.status, 200);
    assert.ok(idp.logLines().some((line) => line.event === 'proxy.forwarded_ignored' && line.header === 'x-forwarded-host'));
  });

  it('several copies of the header from the trusted proxy are refused', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const value = encodeURIComponent(certificatePem(await idp.pki.citizen()));
    const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
      form: stepForm(stepTokenOf(started.loginPage)),
      headers: [['X-SSL-Client-Cert', value], ['X-SSL-Client-Cert', value]],
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.location, undefined);
    assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'PROXY_HEADER_REPEATED'));
  });

  it('an oversized header from the trusted proxy gets a clear refusal', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
      form: stepForm(stepTokenOf(started.loginPage)),
      headers: [['X-SSL-Client-Cert', 'A'.repeat(20_000)]],
    });
    assert.equal(answer.status, 431);
    assert.match(answer.body, /larger than this service accepts|más grande/);
    assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'PROXY_HEADER_TOO_LARGE'));
  });

  it('a well-formed header from the trusted proxy carrying an untrusted certificate is refused by validation', async () => {
    const stranger = await (await makeDniePki({ rootCn: 'FORGED ROOT' })).citizen();
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
      form: stepForm(stepTokenOf(started.loginPage)),
      headers: [['X-SSL-Client-Cert', encodeURIComponent(certificatePem(stranger))]],
    });
    assert.equal(answer.status, 403);
  });

  it('the header on another route is ignored and logged', async () => {
    const value = encodeURIComponent(certificatePem(await idp.pki.citizen()));
    const answer = await plainRequest(idp.ports.oidc, '/.well-known/openid-configuration', {
      headers: [['X-SSL-Client-Cert', value], ['X-Forwarded-Proto', 'https']],
    });
    assert.equal(answer.status, 200);
    assert.ok(
      idp.logLines().some(
        (line) => line.code === 'PROXY_UNTRUSTED' && line.reason === 'not the certificate route' && line.path === '/.well-known/openid-configuration',
      ),
    );
  });
});

describe('an IdP terminating TLS itself (no proxy configured)', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  it('ignores and logs a forwarded certificate header, and reads only the handshake', async () => {
    const config = await relyingParty(idp);
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const answer = await browser.fetch(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`, {
      ...continueForm(started),
      clientCertificate: null,
      headers: {
        'X-SSL-Client-Cert': encodeURIComponent(certificatePem(await idp.pki.citizen())),
      },
    });
    assert.equal(answer.status, 403);
    assert.ok(idp.logLines().some((line) => line.code === 'PROXY_UNTRUSTED'));
    assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'CERT_MISSING'));
  });
});
