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
} from '../support/login-flow.js';
import { countIssuedCodes, dataCode } from './helpers.js';

/**
 * Login CSRF and interaction swapping: an attacker who controls one browser and can make
 * the victim's browser open links. The handle is bound to the interaction uid, burned by
 * the first attempt, and redeemed only where the cookie of that uid is. Replay, theft and
 * moving a handle to another interaction are in test/e2e/binding.test.ts.
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

    // The victim is lured to the certificate step of the attacker's interaction and picks
    // their card: the result is bound to the attacker's uid and lands in the victim's browser.
    const answer = await presentCertificate(
      idp,
      victim,
      attackersLogin.uid,
      await clientCertificateOf(await idp.pki.citizen({ dni: '11111111H' })),
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
