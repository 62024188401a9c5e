import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * The certificate result travels from the certificate origin to the OIDC origin as a
 * one-time handle. These tests are the attacks on that bridge.
 */
describe('the certificate handle is one-time and bound to the browser and interaction', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;

  before(async () => {
    idp = await startTestIdp({ handleTtlSeconds: 2 });
    config = await relyingParty(idp);
  });
  after(() => idp.close());

  async function handshake(browser: TestBrowser) {
    const started = await beginLogin(idp, browser, config);
    const answer = await presentCertificate(
      idp,
      browser,
      started.uid,
      await clientCertificateOf(await idp.pki.citizen()),
    );
    assert.equal(answer.status, 303);
    const callback = new URL(answer.location!);
    assert.equal(callback.origin, idp.issuer);
    assert.equal(callback.pathname, `/interaction/${started.uid}/callback`);
    return { uid: started.uid, callback, handle: callback.searchParams.get('handle')! };
  }

  function dataCode(body: string): string | undefined {
    return /data-code="([A-Z_]+)"/.exec(body)?.[1];
  }

  it('accepts a handle once; the replay is refused', async () => {
    const victim = new TestBrowser({ caPem: idp.tlsCaPem });
    const { callback } = await handshake(victim);
    const first = await victim.fetch(callback.href);
    assert.equal(first.status, 303);
    const replay = await victim.fetch(callback.href);
    assert.equal(replay.status, 403);
    assert.equal(dataCode(replay.body), 'HANDLE_INVALID');
  });

  it('refuses a handle moved to another interaction, and burns it for its owner too', async () => {
    const victim = new TestBrowser({ caPem: idp.tlsCaPem });
    const attacker = new TestBrowser({ caPem: idp.tlsCaPem });
    const stolen = await handshake(victim);
    const attackersLogin = await beginLogin(idp, attacker, config);

    const swapped = await attacker.fetch(
      `${idp.issuer}/interaction/${attackersLogin.uid}/callback?handle=${stolen.handle}`,
    );
    assert.equal(swapped.status, 403);
    assert.equal(dataCode(swapped.body), 'HANDLE_MISMATCH');

    const owner = await victim.fetch(stolen.callback.href);
    assert.equal(owner.status, 403);
    assert.equal(dataCode(owner.body), 'HANDLE_INVALID');
  });

  it('refuses a handle redeemed in a browser without the interaction cookie, and burns it', async () => {
    const victim = new TestBrowser({ caPem: idp.tlsCaPem });
    const thief = new TestBrowser({ caPem: idp.tlsCaPem });
    const stolen = await handshake(victim);

    const elsewhere = await thief.fetch(stolen.callback.href);
    assert.equal(elsewhere.status, 403);
    assert.equal(dataCode(elsewhere.body), 'INTERACTION_NOT_FOUND');

    const owner = await victim.fetch(stolen.callback.href);
    assert.equal(owner.status, 403);
    assert.equal(dataCode(owner.body), 'HANDLE_INVALID');
  });

  it('refuses a malformed or invented handle', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid } = await beginLogin(idp, browser, config);
    for (const handle of ['', 'short', 'A'.repeat(43), '<script>'.padEnd(43, 'x')]) {
      const answer = await browser.fetch(
        `${idp.issuer}/interaction/${uid}/callback?handle=${encodeURIComponent(handle)}`,
      );
      assert.equal(answer.status, 403, handle);
      assert.equal(dataCode(answer.body), 'HANDLE_INVALID');
    }
  });

  it('refuses a handle redeemed after its lifetime', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { callback } = await handshake(browser);
    await sleep(2500);
    const late = await browser.fetch(callback.href);
    assert.equal(late.status, 403);
    assert.equal(dataCode(late.body), 'HANDLE_INVALID');
  });

  it('completes the login when handle, URL and cookie agree', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { callback } = await handshake(browser);
    const finished = await finishLogin(idp, browser, callback.href);
    assert.ok(finished.redirect.searchParams.get('code'));
  });

  it('keeps handles out of the log', () => {
    const log = JSON.stringify(idp.logLines());
    assert.doesNotMatch(log, /handle=[A-Za-z0-9_-]{43}/);
  });
});
