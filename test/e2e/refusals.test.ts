import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type * as oidc from 'openid-client';
import { TestBrowser, type Response } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  continueForm,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';
import { dnieSubject, makeDniePki } from '../support/pki.js';

const DAY_MS = 24 * 3600 * 1000;

describe('a refused certificate ends on a page that says what to do, and no code is issued', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let codesIssued = 0;

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
    idp.provider.on('authorization_code.saved', () => {
      codesIssued += 1;
    });
  });
  after(() => idp.close());

  async function refusalFor(
    card: Parameters<typeof presentCertificate>[3],
    language = 'en',
  ): Promise<{ answer: Response; uid: string; browser: TestBrowser }> {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const before = codesIssued;
    const answer = await browser.fetch(
      `${idp.certificateOrigin}/interaction/${started.uid}/certificate`,
      { ...continueForm(started), clientCertificate: card, headers: { 'accept-language': language } },
    );
    assert.equal(answer.location, undefined, 'a refusal never redirects onwards');
    assert.equal(codesIssued, before, 'no authorization code was issued');
    return { answer, uid: started.uid, browser };
  }

  function assertErrorPage(answer: Response, code: string, status: number): void {
    assert.equal(answer.status, status);
    assert.match(String(answer.headers['content-type']), /text\/html/);
    assert.match(answer.body, new RegExp(`data-code="${code}"`));
    assert.doesNotMatch(answer.body, /https?:\/\/(?!localhost)[a-z]/i, 'no external asset or link');
  }

  it('explains that no certificate was received, and how to choose again', async () => {
    const { answer, uid } = await refusalFor(null);
    assertErrorPage(answer, 'CERT_MISSING', 403);
    assert.match(answer.body, /No certificate was received/);
    assert.match(answer.body, /id="choose-again"/);
    assert.ok(answer.body.includes(`${idp.issuer}/interaction/${uid}`), 'offers to try again');
    const logged = idp.logLines().find((line) => line.event === 'certificate.refused' && line.interaction === uid);
    assert.equal(logged?.code, 'CERT_MISSING');
  });

  it('speaks Spanish to a browser that prefers it', async () => {
    const { answer } = await refusalFor(null, 'es-ES,es;q=0.9,en;q=0.5');
    assert.match(answer.body, /<html lang="es">/);
    assert.match(answer.body, /No se ha recibido ningún certificado/);
  });

  it('refuses a card from an issuer it does not trust', async () => {
    const stranger = await makeDniePki({ rootCn: 'TEST RAIZ DNIE' });
    const { answer } = await refusalFor(
      await clientCertificateOf(await stranger.citizen(), [stranger.issuing]),
    );
    assertErrorPage(answer, 'CHAIN_UNTRUSTED', 403);
    assert.match(answer.body, /not accepted here/);
  });

  it('refuses an expired certificate', async () => {
    const expired = await idp.pki.citizen({
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const { answer } = await refusalFor(await clientCertificateOf(expired));
    assertErrorPage(answer, 'CERT_EXPIRED', 403);
    assert.match(answer.body, /has expired/);
  });

  it('refuses a certificate that is not valid yet', async () => {
    const early = await idp.pki.citizen({
      notBefore: new Date(Date.now() + 2 * DAY_MS),
      notAfter: new Date(Date.now() + 800 * DAY_MS),
    });
    const { answer } = await refusalFor(await clientCertificateOf(early));
    assertErrorPage(answer, 'CERT_NOT_YET_VALID', 403);
  });

  it('refuses a certificate whose key usage does not allow signing in', async () => {
    const encryptionOnly = await idp.pki.citizen({
      keyUsage: x509.KeyUsageFlags.keyEncipherment,
    });
    const { answer } = await refusalFor(await clientCertificateOf(encryptionOnly));
    assertErrorPage(answer, 'CERT_WRONG_USAGE', 403);
  });

  it('refuses the signature certificate of the card and names the right one', async () => {
    const signing = await idp.pki.citizen({
      subject: dnieSubject('00000000T', 'FIRMA'),
      keyUsage: x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.digitalSignature,
      policies: ['2.16.724.1.2.2.2.3'],
    });
    const { answer } = await refusalFor(await clientCertificateOf(signing));
    assertErrorPage(answer, 'CERT_SIGNATURE_ONLY', 403);
    assert.match(answer.body, /AUTENTICACIÓN/);
  });

  it('refuses a certificate step for an interaction that no longer exists', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    // A genuine login page (so a valid step token), whose interaction then ends.
    const started = await beginLogin(idp, browser, config);
    await (await idp.provider.Interaction.find(started.uid))!.destroy();
    const answer = await browser.fetch(
      `${idp.certificateOrigin}/interaction/${started.uid}/certificate`,
      { ...continueForm(started), clientCertificate: await clientCertificateOf(await idp.pki.citizen()) },
    );
    assertErrorPage(answer, 'INTERACTION_NOT_FOUND', 410);
  });

  it('refuses a certificate step for an unknown interaction before looking it up', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const answer = await presentCertificate(
      idp,
      browser,
      'x'.repeat(43),
      await clientCertificateOf(await idp.pki.citizen()),
    );
    assertErrorPage(answer, 'STEP_TOKEN_INVALID', 403);
  });

  it('serves nothing but the certificate step on the certificate origin', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/token']) {
      const answer = await browser.fetch(`${idp.certificateOrigin}${path}`, {
        clientCertificate: null,
      });
      assert.equal(answer.status, 404, path);
    }
  });

  it('keeps names and national identifiers out of the log', () => {
    const log = JSON.stringify(idp.logLines());
    for (const secret of ['00000000T', 'ESPAÑOL', 'JUAN']) {
      assert.ok(!log.includes(secret), `the log contains ${secret}`);
    }
  });
});
