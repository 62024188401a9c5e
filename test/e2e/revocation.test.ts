import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { revocationSettings } from '../../src/pki/revocation/settings.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  continueForm,
  loginWith,
  relyingParty,
} from '../support/login-flow.js';
import {
  startHangingResponder,
  startOpensslResponder,
  type RunningResponder,
} from '../support/ocsp-responder.js';
import { makeOpensslCa, type OpensslCa } from '../support/openssl-ca.js';
import { makeDniePki, revocationPointers, type TestPki } from '../support/pki.js';

/**
 * Revocation end to end: the citizen's card points at a real `openssl ocsp` responder. A
 * revoked card ends on the CERT_REVOKED page with no code issued; when the responder hangs
 * and the profile soft-fails, the login succeeds and the relying party sees it in the claim.
 */

function idpWith(pki: TestPki, profilePolicy: 'hard' | 'soft'): Promise<TestIdp> {
  return startTestIdp({
    pki,
    settings: {
      revocation: revocationSettings({
        onFailure: 'hard',
        profiles: { 'es-dnie': { onFailure: profilePolicy } },
        ocsp: { connectTimeoutMs: 300, readTimeoutMs: 600, totalTimeoutMs: 1000 },
      }),
    },
  });
}

describe('revocation checked during a real login', () => {
  let pki: TestPki;
  let ca: OpensslCa;
  let responder: RunningResponder;
  let hanging: RunningResponder;

  before(async () => {
    pki = await makeDniePki();
    ca = await makeOpensslCa(pki.issuing);
    responder = await startOpensslResponder({
      indexFile: ca.indexFile,
      caFile: ca.certFile,
      signerCertFile: ca.certFile,
      signerKeyFile: ca.keyFile,
    });
    hanging = await startHangingResponder();
  });
  after(async () => {
    await Promise.all([responder.close(), hanging.close()]);
  });

  describe('with a hard-fail profile', () => {
    let idp: TestIdp;
    let config: oidc.Configuration;
    let codesIssued = 0;

    before(async () => {
      idp = await idpWith(pki, 'hard');
      config = await relyingParty(idp);
      idp.provider.on('authorization_code.saved', () => {
        codesIssued += 1;
      });
    });
    after(() => idp.close());

    it('signs in a citizen whose card the responder says is good, and says so in the claim', async () => {
      const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: responder.url }) });
      ca.register(citizen);
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const { claims } = await loginWith(idp, browser, config, citizen, 'openid profile eid_certificate');
      const certificate = claims.eid_certificate as Record<string, unknown>;
      assert.equal(certificate.revocation_status, 'good');
      await browser.close();

      // The operator sees the exchange with the responder and the cache that missed.
      const metrics = await idp.metrics.registry.metrics();
      assert.match(metrics, /eid_idp_ocsp_request_seconds_count\{outcome="good"\} [1-9]/);
      assert.match(metrics, /eid_idp_cache_lookups_total\{cache="ocsp_shared",result="miss"\} [1-9]/);
    });

    it('shows the revoked card the CERT_REVOKED page (403) and issues no code', async () => {
      const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: responder.url }) });
      ca.revoke(citizen, 'keyCompromise');
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      const before = codesIssued;
      const answer = await browser.fetch(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`, {
        ...continueForm(started),
        clientCertificate: await clientCertificateOf(citizen),
        headers: { 'accept-language': 'es' },
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.location, undefined);
      assert.match(answer.body, /data-code="CERT_REVOKED"/);
      assert.match(answer.body, /revocado/);
      assert.equal(codesIssued, before);
      const refused = idp.logLines().find((line) => line.event === 'certificate.refused' && line.interaction === started.uid);
      assert.equal(refused?.code, 'CERT_REVOKED');
      await browser.close();
    });

    it('answers 503 "revocation service unreachable" when the responder hangs', async () => {
      const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: hanging.url }) });
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      const answer = await browser.fetch(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`, {
        ...continueForm(started),
        clientCertificate: await clientCertificateOf(citizen),
      });
      assert.equal(answer.status, 503);
      assert.match(answer.body, /data-code="REVOCATION_UNAVAILABLE"/);
      await browser.close();
    });
  });

  describe('with a soft-fail profile', () => {
    let idp: TestIdp;
    let config: oidc.Configuration;

    before(async () => {
      idp = await idpWith(pki, 'soft');
      config = await relyingParty(idp);
    });
    after(() => idp.close());

    it('lets the login through when the responder hangs, logs it without personal data, and tells the RP', async () => {
      const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: hanging.url }) });
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const { claims } = await loginWith(idp, browser, config, citizen, 'openid profile eid_certificate');
      const certificate = claims.eid_certificate as Record<string, unknown>;
      assert.equal(certificate.revocation_status, 'soft_fail');

      const logged = idp.logLines().filter((line) => line.event === 'revocation.soft_fail');
      assert.equal(logged.length, 1);
      const text = JSON.stringify(logged);
      assert.doesNotMatch(text, /00000000T|JUAN|ESPAÑOL/);
      await browser.close();
    });

    it('still refuses a card the responder says is revoked', async () => {
      const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: responder.url }) });
      ca.revoke(citizen);
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      const answer = await browser.fetch(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`, {
        ...continueForm(started),
        clientCertificate: await clientCertificateOf(citizen),
      });
      assert.equal(answer.status, 403);
      assert.match(answer.body, /data-code="CERT_REVOKED"/);
      await browser.close();
    });
  });
});
