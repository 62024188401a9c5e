import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import type { KeyValueStore } from '../../src/store/contract.js';
import { openTestRedisStore, SHARED_REDIS_URL } from '../store/redis-test-store.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';

/**
 * An authorization code is used once. oidc-provider checks "consumed" and then marks it,
 * so without an atomic consume two token requests racing with one code both got tokens:
 * with Redis, every store call between the check and the mark is a network round trip
 * that lets the other request in.
 */
for (const backend of ['memory', 'redis'] as const) {
describe(`authorization code replay (${backend} store)`, () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    let store: KeyValueStore | undefined;
    if (backend === 'redis') {
      const opened = await openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'code-replay');
      store = opened.store;
      cleanup = () => opened.cleanup();
    }
    idp = await startTestIdp(store ? { settings: { store } } : {});
    config = await relyingParty(idp);
  });
  after(async () => {
    await idp.close();
    await cleanup();
  });

  async function codeRedirect() {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config, 'openid profile');
    const answer = await presentCertificate(
      idp,
      browser,
      started.uid,
      await clientCertificateOf(await idp.pki.citizen()),
    );
    const { redirect } = await finishLogin(idp, browser, answer.location!);
    return { redirect, checks: started.checks };
  }

  function redeem(redirect: URL, checks: { state: string; nonce: string; codeVerifier: string }) {
    return oidc.authorizationCodeGrant(config, redirect, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
  }

  it('gives tokens to exactly one of several simultaneous redemptions of one code', async () => {
    const { redirect, checks } = await codeRedirect();
    // Open the relying party's connections first, so the redemptions arrive together
    // instead of one TLS handshake apart.
    await Promise.allSettled(
      Array.from({ length: 5 }, () => oidc.fetchUserInfo(config, 'not-a-token', oidc.skipSubjectCheck)),
    );
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => redeem(redirect, checks)),
    );
    const granted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    assert.equal(granted.length, 1, `${granted.length} of 5 redemptions got tokens`);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        assert.equal((outcome.reason as { error?: string }).error, 'invalid_grant');
      }
    }
  });

  it('revokes what the code gave when it is replayed later', async () => {
    const { redirect, checks } = await codeRedirect();
    const tokens = await redeem(redirect, checks);
    await assert.rejects(redeem(redirect, checks), { error: 'invalid_grant' });
    await assert.rejects(
      oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck),
      (error: { status?: number; cause?: { status?: number } }) =>
        (error.status ?? error.cause?.status) === 401 || /invalid_token/.test(String(error)),
    );
  });
});
}
