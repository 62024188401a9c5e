import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  presentCertificate,
  relyingParty,
  stepForm,
  stepTokenOf,
} from '../support/login-flow.js';
import { countIssuedCodes, dataCode } from './helpers.js';

/**
 * Login CSRF and interaction swapping: an attacker who controls one browser and can make
 * the victim's browser open links. The handle is bound to the interaction uid, burned by
 * the first attempt, and redeemed only where the cookie of that uid is. The certificate step
 * itself needs the step token of that interaction's login page, which only the browser
 * holding its cookie is shown: knowing the uid (URL paths reach proxy logs) is not enough.
 * Replay, theft and moving a handle to another interaction are in test/e2e/binding.test.ts.
 */
describe('attack: login CSRF and interaction swapping', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let codesIssued: () => number;

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
    codesIssued = countIssuedCodes(idp);
  });
  after(() => idp.close());

  const newBrowser = () => new TestBrowser({ caPem: idp.tlsCaPem });

  it("does not complete the attacker's interaction with the victim's certificate", async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersLogin = await beginLogin(idp, attacker, config);
    const before = codesIssued();

    // The victim is lured to a copy of the attacker's login page (a cross-site form with the
    // attacker's own step token) and picks their card: the result is bound to the attacker's
    // uid and lands in the victim's browser.
    const answer = await presentCertificate(
      idp,
      victim,
      attackersLogin.uid,
      await clientCertificateOf(await idp.pki.citizen({ dni: '11111111H' })),
      { stepToken: stepTokenOf(attackersLogin.loginPage) },
    );
    assert.equal(answer.status, 303);
    const stolenCallback = answer.location!;
    const inVictimsBrowser = await victim.fetch(stolenCallback);
    assert.equal(inVictimsBrowser.status, 403);
    assert.equal(dataCode(inVictimsBrowser), 'INTERACTION_NOT_FOUND');

    // Even if the attacker learns the handle afterwards, the failed attempt has burned it.
    const inAttackersBrowser = await attacker.fetch(stolenCallback);
    assert.equal(inAttackersBrowser.status, 403);
    assert.equal(dataCode(inAttackersBrowser), 'HANDLE_INVALID');
    assert.equal(codesIssued(), before, 'no authorization code was issued');
  });

  it("does not sign the victim in as the attacker with the attacker's own handle", async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersCard = await clientCertificateOf(await idp.pki.citizen({ dni: '12345678Z' }));
    const attackersLogin = await beginLogin(idp, attacker, config);
    const victimsLogin = await beginLogin(idp, victim, config);
    const before = codesIssued();

    // The attacker finishes the handshake with their own card but keeps the redirect.
    const first = await presentCertificate(idp, attacker, attackersLogin.uid, attackersCard);
    const own = new URL(first.location!);
    // …and makes the victim's browser open it, as is and moved to the victim's interaction.
    const asIs = await victim.fetch(own.href);
    assert.equal(asIs.status, 403);
    assert.equal(dataCode(asIs), 'INTERACTION_NOT_FOUND');

    const second = await presentCertificate(idp, attacker, attackersLogin.uid, attackersCard);
    const handle = new URL(second.location!).searchParams.get('handle')!;
    const moved = await victim.fetch(
      `${idp.issuer}/interaction/${victimsLogin.uid}/callback?handle=${handle}`,
    );
    assert.equal(moved.status, 403);
    assert.equal(dataCode(moved), 'HANDLE_MISMATCH');
    assert.equal(codesIssued(), before, 'no authorization code was issued');

    // The victim's own login is untouched and ends with the victim's identity.
    const victimsCard = await clientCertificateOf(await idp.pki.citizen({ dni: '22222222J' }));
    const answer = await presentCertificate(idp, victim, victimsLogin.uid, victimsCard);
    const finished = await finishLogin(idp, victim, answer.location!);
    assert.ok(finished.redirect.searchParams.get('code'));
  });

  /** The handles the certificate origin has issued so far, read from its log. */
  const handlesIssued = () => idp.logLines().filter((line) => line.event === 'certificate.accepted').length;

  it("refuses the certificate step for the victim's interaction to an attacker who knows only its uid", async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersCard = await clientCertificateOf(await idp.pki.citizen({ dni: '12345678Z' }));
    const victimsLogin = await beginLogin(idp, victim, config);
    const handlesBefore = handlesIssued();
    const codesBefore = codesIssued();

    // The uid leaked (a proxy log); the attacker runs the step with their own card. Their
    // browser lacks the victim's cookie, so the login page it is shown carries no token.
    const step = await presentCertificate(idp, attacker, victimsLogin.uid, attackersCard);
    assert.equal(step.status, 403);
    assert.equal(dataCode(step), 'STEP_TOKEN_INVALID');
    assert.equal(step.location, undefined, 'no handle, no redirect');
    assert.doesNotMatch(step.body, /handle=/);
    // Nor with a guess of the right shape.
    const guessed = await presentCertificate(idp, attacker, victimsLogin.uid, attackersCard, {
      stepToken: 'A'.repeat(43),
    });
    assert.equal(guessed.status, 403);
    assert.equal(dataCode(guessed), 'STEP_TOKEN_INVALID');
    assert.equal(handlesIssued(), handlesBefore, 'no handle was issued');

    const refused = idp
      .logLines()
      .filter((line) => line.event === 'login.failed' && line.interaction === victimsLogin.uid);
    assert.ok(refused.length >= 2 && refused.every((line) => line.code === 'STEP_TOKEN_INVALID'));
    assert.doesNotMatch(JSON.stringify(refused), /12345678Z/);

    // The victim's own "Continue" still works and signs in the victim, not the attacker.
    const victimsCard = await clientCertificateOf(await idp.pki.citizen({ dni: '22222222J' }));
    const own = await presentCertificate(idp, victim, victimsLogin.uid, victimsCard);
    assert.equal(own.status, 303, own.body.slice(0, 300));
    const finished = await finishLogin(idp, victim, own.location!);
    assert.ok(finished.redirect.searchParams.get('code'));
    assert.equal(codesIssued(), codesBefore + 1, "only the victim's own login issued a code");
  });

  it("refuses the step token of the attacker's own interaction for the victim's", async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersCard = await clientCertificateOf(await idp.pki.citizen({ dni: '12345678Z' }));
    const attackersLogin = await beginLogin(idp, attacker, config);
    const victimsLogin = await beginLogin(idp, victim, config);
    const handlesBefore = handlesIssued();

    const step = await presentCertificate(idp, attacker, victimsLogin.uid, attackersCard, {
      stepToken: stepTokenOf(attackersLogin.loginPage),
    });
    assert.equal(step.status, 403);
    assert.equal(dataCode(step), 'STEP_TOKEN_INVALID');
    assert.equal(step.location, undefined);
    assert.equal(handlesIssued(), handlesBefore, 'no handle was issued');
  });

  it('never logs in on GET of the certificate step, even with a card and a valid token in the URL', async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersCard = await clientCertificateOf(await idp.pki.citizen({ dni: '12345678Z' }));
    const victimsLogin = await beginLogin(idp, victim, config);
    const handlesBefore = handlesIssued();
    const stepUrl = `${idp.certificateOrigin}/interaction/${victimsLogin.uid}/certificate`;

    for (const url of [stepUrl, `${stepUrl}?step_token=${stepTokenOf(victimsLogin.loginPage)}`]) {
      const answer = await attacker.fetch(url, { clientCertificate: attackersCard });
      assert.equal(answer.status, 303, url);
      assert.equal(answer.location, `${idp.issuer}/interaction/${victimsLogin.uid}`, 'back to the login page');
      assert.equal(answer.headers.connection, 'close');
    }
    assert.equal(handlesIssued(), handlesBefore, 'no handle was issued');
    // In the attacker's browser, the login page it is sent back to does not exist.
    const back = await attacker.fetch(`${idp.issuer}/interaction/${victimsLogin.uid}`);
    assert.equal(back.status, 403);
    assert.equal(stepTokenOf(back), undefined);
  });

  it('refuses an oversized or non-form body of the certificate step before reading a certificate', async () => {
    const browser = newBrowser();
    const started = await beginLogin(idp, browser, config);
    const stepUrl = `${idp.certificateOrigin}/interaction/${started.uid}/certificate`;
    const card = await clientCertificateOf(await idp.pki.citizen());
    const handlesBefore = handlesIssued();

    const padded = `${stepForm(stepTokenOf(started.loginPage))}&pad=${'a'.repeat(64 * 1024)}`;
    const oversized = await browser.fetch(stepUrl, { method: 'POST', body: padded, clientCertificate: card });
    assert.equal(oversized.status, 413);
    assert.equal(dataCode(oversized), 'STEP_TOKEN_INVALID');

    const asJson = await browser.fetch(stepUrl, {
      method: 'POST',
      body: JSON.stringify({ step_token: stepTokenOf(started.loginPage) }),
      headers: { 'content-type': 'application/json' },
      clientCertificate: card,
    });
    assert.equal(asJson.status, 403);
    assert.equal(dataCode(asJson), 'STEP_TOKEN_INVALID');
    assert.equal(handlesIssued(), handlesBefore, 'no handle was issued');
  });

  it('does not let a login page of one interaction post consent for another', async () => {
    const attacker = newBrowser();
    const victim = newBrowser();
    const attackersLogin = await beginLogin(idp, attacker, config);
    await beginLogin(idp, victim, config);
    // A cross-site form in the victim's browser aimed at the attacker's interaction.
    const forged = await victim.fetch(`${idp.issuer}/interaction/${attackersLogin.uid}/consent`, {
      method: 'POST',
      body: '',
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.location, undefined);
  });
});
