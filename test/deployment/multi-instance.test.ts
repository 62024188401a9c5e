import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Issued } from '../../src/cli/dev-pki.js';
import { TestBrowser } from '../support/browser.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  presentCertificate,
  relyingParty,
  stepTokenOf,
  type IdpEndpoints,
} from '../support/login-flow.js';
import { makeDniePki } from '../support/pki.js';
import { freePort } from '../support/redis-server.js';
import { openTestRedisStore, SHARED_REDIS_URL, uniquePrefix } from '../store/redis-test-store.js';
import { IdpProcess, writeSharedDeployment, type SharedDeployment } from './idp-process.js';
import { TcpSwitch } from './tcp-switch.js';

/**
 * A deployment of two eid-idp processes (`eid-idp start`, each with its own YAML file) that
 * share one Redis, one set of keys and one trust directory, behind a layer-4 balancer that the
 * test points at one process or the other between steps. A login may begin on one and end on
 * the other; a one-time handle is one-time across both.
 */
describe('two IdP processes sharing one Redis', () => {
  let shared: SharedDeployment;
  let citizen: Issued;
  let a: IdpProcess;
  let b: IdpProcess;
  let ports: { a: { oidc: number; cert: number }; b: { oidc: number; cert: number } };
  let oidcBalancer: TcpSwitch;
  let certificateBalancer: TcpSwitch;
  let endpoints: IdpEndpoints;
  const keyPrefix = uniquePrefix('multi-instance');

  before(async () => {
    const pki = await makeDniePki();
    citizen = await pki.citizen();
    shared = await writeSharedDeployment(pki);
    ports = {
      a: { oidc: await freePort(), cert: await freePort() },
      b: { oidc: await freePort(), cert: await freePort() },
    };
    oidcBalancer = await TcpSwitch.start(ports.a.oidc);
    certificateBalancer = await TcpSwitch.start(ports.a.cert);
    endpoints = {
      issuer: `https://localhost:${oidcBalancer.port}`,
      certificateOrigin: `https://localhost:${certificateBalancer.port}`,
      tlsCaPem: shared.tlsCaPem,
    };
    const common = {
      shared,
      issuer: endpoints.issuer,
      certificateOrigin: endpoints.certificateOrigin,
      store: { kind: 'redis', url: SHARED_REDIS_URL, keyPrefix },
    };
    [a, b] = await Promise.all([
      IdpProcess.start({ ...common, name: 'a', oidcPort: ports.a.oidc, certificatePort: ports.a.cert }),
      IdpProcess.start({ ...common, name: 'b', oidcPort: ports.b.oidc, certificatePort: ports.b.cert }),
    ]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await oidcBalancer?.close();
    await certificateBalancer?.close();
    const leftovers = await openTestRedisStore(
      { mode: 'standalone', url: SHARED_REDIS_URL },
      'multi-instance',
      keyPrefix,
    );
    await leftovers.cleanup();
    shared?.destroy();
  });

  it('publishes the same JWKS from both processes', async () => {
    const [fromA, fromB] = await Promise.all([a.get('/jwks'), b.get('/jwks')]);
    assert.equal(fromA.status, 200);
    const keys = (JSON.parse(fromA.body) as { keys: { kid: string; d?: string }[] }).keys;
    assert.ok(keys.length >= 2);
    assert.ok(keys.every((key) => key.d === undefined), 'private parts are never published');
    assert.deepEqual(JSON.parse(fromB.body), JSON.parse(fromA.body));
  });

  it('finishes on B a login authorized on A, and A exchanges the code for tokens', async () => {
    await oidcBalancer.route(ports.a.oidc);
    const config = await relyingParty(endpoints);
    const browser = new TestBrowser({ caPem: shared.tlsCaPem });
    try {
      const started = await beginLogin(endpoints, browser, config); // /auth and login page on A

      await certificateBalancer.route(ports.b.cert);
      // The step token of A's login page, checked on B: both derive it from the shared key.
      const answer = await presentCertificate(
        endpoints,
        browser,
        started.uid,
        await clientCertificateOf(citizen),
        { stepToken: stepTokenOf(started.loginPage) },
      );
      assert.equal(answer.status, 303, answer.body.slice(0, 300));

      await oidcBalancer.route(ports.b.oidc);
      const finished = await finishLogin(endpoints, browser, answer.location!); // callback, consent on B
      assert.ok(finished.consentPage, 'B showed the consent page');

      await oidcBalancer.route(ports.a.oidc);
      const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
        pkceCodeVerifier: started.checks.codeVerifier,
        expectedState: started.checks.state,
        expectedNonce: started.checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.iss, endpoints.issuer);
      assert.equal(claims.family_name, 'ESPAÑOL ESPAÑOL');
      assert.equal((claims.national_id as { value: string }).value, '00000000T');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(userinfo.given_name, 'JUAN');
    } finally {
      await browser.close();
    }

    // The steps really ran where the balancer sent them.
    assert.match(b.output, /"event":"certificate\.accepted"/);
    assert.match(b.output, /"event":"login\.succeeded"/);
    assert.doesNotMatch(a.output, /"event":"certificate\.accepted"/);
    assert.doesNotMatch(a.output, /"event":"login\.succeeded"/);
  });

  it('refuses on B a certificate handle already redeemed on A', async () => {
    await oidcBalancer.route(ports.a.oidc);
    await certificateBalancer.route(ports.a.cert);
    const config = await relyingParty(endpoints);
    const browser = new TestBrowser({ caPem: shared.tlsCaPem });
    try {
      const started = await beginLogin(endpoints, browser, config);
      const answer = await presentCertificate(
        endpoints,
        browser,
        started.uid,
        await clientCertificateOf(citizen),
      );
      assert.equal(answer.status, 303);
      const callbackUrl = answer.location!;

      const redeemedOnA = await browser.fetch(callbackUrl);
      assert.equal(redeemedOnA.status, 303, 'A accepted the handle and resumed the login');

      await oidcBalancer.route(ports.b.oidc);
      const replayedOnB = await browser.fetch(callbackUrl);
      assert.equal(replayedOnB.status, 403);
      assert.equal(replayedOnB.location, undefined);
      assert.match(replayedOnB.body, /This sign-in link is no longer valid/);
      assert.match(b.output, /"code":"HANDLE_INVALID"/);
    } finally {
      await browser.close();
    }
  });

  it('lets exactly one of two simultaneous redemptions, one on A and one on B, win', async () => {
    await oidcBalancer.route(ports.a.oidc);
    await certificateBalancer.route(ports.b.cert);
    const config = await relyingParty(endpoints);
    const browser = new TestBrowser({ caPem: shared.tlsCaPem });
    try {
      const started = await beginLogin(endpoints, browser, config);
      const answer = await presentCertificate(
        endpoints,
        browser,
        started.uid,
        await clientCertificateOf(citizen),
      );
      assert.equal(answer.status, 303);
      // The same callback, straight to each process at once (cookies ignore ports).
      const callback = new URL(answer.location!);
      const onEach = [ports.a.oidc, ports.b.oidc].map((port) => {
        const direct = new URL(callback);
        direct.port = String(port);
        return browser.fetch(direct.href);
      });
      const statuses = (await Promise.all(onEach)).map((response) => response.status).sort();
      assert.deepEqual(statuses, [303, 403]);
    } finally {
      await browser.close();
    }
  });
});
