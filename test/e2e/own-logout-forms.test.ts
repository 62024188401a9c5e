import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { TestBrowser, type Response } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  loginWith,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';

/** The page is ours: our layout, in the person's language, no inline script. */
function assertOwnLogoutForm(page: Response, issuer: string): void {
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /Submitting Callback/);
  assert.match(page.body, /<html lang="(en|es)"/);
  assert.doesNotMatch(page.body, /<script>/);
  assert.match(page.body, new RegExp(`action="${issuer}/session/end/confirm"`));
  assert.match(page.body, /name="logout" value="yes"/);
}

describe('the logout forms oidc-provider writes by itself are ours', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
  });
  after(() => idp.close());

  it('shows our page for a logout requested while nobody is signed in', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const page = await browser.fetch(`${idp.issuer}/session/end`, {
      headers: { 'accept-language': 'es' },
    });
    assertOwnLogoutForm(page, idp.issuer);
    assert.match(page.body, /Cerrando la sesión/);
  });

  it('shows our page when another person signs in within the same browser session', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    await loginWith(idp, browser, config, await idp.pki.citizen());

    const other = await idp.pki.citizen({ dni: '12345678Z' });
    const started = await beginLogin(idp, browser, config, 'openid profile', { prompt: 'login' });
    const answer = await presentCertificate(idp, browser, started.uid, await clientCertificateOf(other));
    assert.equal(answer.status, 303);
    const hops = await browser.follow(answer.location!, { stayOn: [idp.issuer] });
    const switchPage = hops.at(-1)!;
    assertOwnLogoutForm(switchPage, idp.issuer);

    // Submitting it signs the first person out and resumes the second person's login.
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(switchPage.body)![1]!;
    const confirmed = await browser.fetch(`${idp.issuer}/session/end/confirm`, {
      method: 'POST',
      body: `xsrf=${encodeURIComponent(xsrf)}&logout=yes`,
    });
    assert.equal(confirmed.status, 303);
    const finished = await finishLogin(idp, browser, confirmed.location!);
    assert.match(finished.redirect.href, /^https:\/\/rp\.example\.test\/callback\?code=/);
  });
});
