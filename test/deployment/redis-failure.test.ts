import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, request } from 'undici';
import type { Issued } from '../../src/cli/dev-pki.js';
import { TestBrowser } from '../support/browser.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_REDIRECT_URI } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  loginWith,
  presentCertificate,
  relyingParty,
  stepTokenOf,
  type IdpEndpoints,
} from '../support/login-flow.js';
import { makeDniePki } from '../support/pki.js';
import { freePort, PrivateRedisServer } from '../support/redis-server.js';
import { IdpProcess, writeSharedDeployment, type SharedDeployment } from './idp-process.js';

const UNAVAILABLE_PAGE = /The service is temporarily unavailable/;

/**
 * Redis stops in the middle of logins. The IdP process (a real `eid-idp start`) must answer
 * every request with the "temporarily unavailable" page and a 503, report itself not ready,
 * stay alive, and serve logins again once the same Redis comes back, without a restart.
 * Redis here is the test's own redis-server on its own port, never the shared one.
 */
describe('an IdP process whose Redis stops and comes back', () => {
  let redis: PrivateRedisServer;
  let shared: SharedDeployment;
  let idp: IdpProcess;
  let citizen: Issued;
  let endpoints: IdpEndpoints;

  before(async () => {
    redis = await PrivateRedisServer.start();
    const pki = await makeDniePki();
    citizen = await pki.citizen();
    shared = await writeSharedDeployment(pki);
    const [oidcPort, certificatePort] = [await freePort(), await freePort()];
    endpoints = {
      issuer: `https://localhost:${oidcPort}`,
      certificateOrigin: `https://localhost:${certificatePort}`,
      tlsCaPem: shared.tlsCaPem,
    };
    idp = await IdpProcess.start({
      name: 'lonely',
      shared,
      issuer: endpoints.issuer,
      certificateOrigin: endpoints.certificateOrigin,
      oidcPort,
      certificatePort,
      store: { kind: 'redis', url: redis.url, keyPrefix: 'eid-idp-failure-test:' },
    });
  });

  after(async () => {
    await idp?.stop();
    await redis?.destroy();
    shared?.destroy();
  });

  it('fails logins with a 503 page while Redis is down, stays alive, and recovers by itself', async () => {
    const config = await relyingParty(endpoints);
    assert.equal((await idp.get('/readyz')).status, 200);

    // Three logins under way: on the login page, with the certificate accepted, on consent.
    const browserOne = new TestBrowser({ caPem: shared.tlsCaPem });
    const browserTwo = new TestBrowser({ caPem: shared.tlsCaPem });
    const browserThree = new TestBrowser({ caPem: shared.tlsCaPem });
    try {
      const onLoginPage = await beginLogin(endpoints, browserOne, config);
      const certified = await beginLogin(endpoints, browserTwo, config);
      const accepted = await presentCertificate(
        endpoints,
        browserTwo,
        certified.uid,
        await clientCertificateOf(citizen),
      );
      assert.equal(accepted.status, 303);
      const consenting = await beginLogin(endpoints, browserThree, config);
      const toConsent = await presentCertificate(
        endpoints,
        browserThree,
        consenting.uid,
        await clientCertificateOf(citizen),
      );
      const toConsentHops = await browserThree.follow(toConsent.location!, {
        stayOn: [endpoints.issuer],
      });
      const consentPage = toConsentHops.at(-1)!;
      assert.equal(consentPage.status, 200, 'the consent page is shown');
      assert.match(new URL(consentPage.url).pathname, /^\/interaction\/[^/]+$/);

      await redis.stop();

      const consent = await browserThree.fetch(`${consentPage.url}/consent`, {
        method: 'POST',
        body: '',
      });
      assertUnavailablePage(consent, 'consent');

      // The "Continue" form of the login page shown before Redis stopped.
      const certificateStep = await presentCertificate(
        endpoints,
        browserOne,
        onLoginPage.uid,
        await clientCertificateOf(citizen),
        { stepToken: stepTokenOf(onLoginPage.loginPage) },
      );
      assertUnavailablePage(certificateStep, 'certificate route');

      const callback = await browserTwo.fetch(accepted.location!);
      assertUnavailablePage(callback, 'callback redeeming the handle');

      const loginPage = await browserOne.fetch(`${endpoints.issuer}/interaction/${onLoginPage.uid}`);
      assertUnavailablePage(loginPage, 'login page');

      const authorizeUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const authorize = await browserOne.fetch(authorizeUrl.href, {
        headers: { accept: 'text/html' },
      });
      assertUnavailablePage(authorize, 'authorization endpoint (inside oidc-provider)');

      const basicCredentials = Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString(
        'base64',
      );
      const apiClient = new Agent({ connect: { ca: shared.tlsCaPem } });
      const token = await request(`${endpoints.issuer}/token`, {
        method: 'POST',
        dispatcher: apiClient,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${basicCredentials}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'a'.repeat(43),
          redirect_uri: TEST_REDIRECT_URI,
          code_verifier: 'b'.repeat(43),
        }).toString(),
      });
      assert.equal(token.statusCode, 503, 'token endpoint');
      await token.body.text();
      await apiClient.close();

      const readiness = await idp.get('/readyz');
      assert.equal(readiness.status, 503);
      assert.equal(JSON.parse(readiness.body).status, 'not ready');
      assert.equal((await idp.get('/healthz')).status, 200, 'the process itself is healthy');
      assert.ok(idp.alive, 'the IdP process is still running');
      assert.match(idp.output, /"event":"store\.redis\.unavailable"/);
    } finally {
      await browserOne.close();
      await browserTwo.close();
      await browserThree.close();
    }

    await redis.start(); // same port, as a restarted Redis would be

    await eventually(async () => assert.equal((await idp.get('/readyz')).status, 200), 30_000);
    const browser = new TestBrowser({ caPem: shared.tlsCaPem });
    try {
      const { claims } = await loginWith(endpoints, browser, config, citizen);
      assert.equal(claims.family_name, 'ESPAÑOL ESPAÑOL');
    } finally {
      await browser.close();
    }
    assert.ok(idp.alive);
    assert.match(idp.output, /"event":"store\.redis\.ready"/);
  });
});

function assertUnavailablePage(
  response: { status: number; body: string; headers: Record<string, unknown> },
  step: string,
): void {
  const excerpt = response.body.slice(0, 200);
  assert.equal(response.status, 503, `${step}: status ${response.status}: ${excerpt}`);
  assert.match(response.body, UNAVAILABLE_PAGE, `${step}: our page`);
  assert.match(String(response.headers['content-type']), /text\/html/, step);
}

/** Retries until `check` passes or `withinMs` (a generous bound, not a timing claim) passes. */
async function eventually(check: () => Promise<void>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
