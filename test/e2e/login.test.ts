import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { PUBLIC_CLIENT_ID, startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  loginWith,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';

describe('signing in with a DNIe-profile certificate, end to end', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
  });
  after(() => idp.close());

  it('publishes discovery with our scopes, claims and the code flow only', async () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, idp.issuer);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    for (const scope of ['openid', 'profile', 'national_id', 'eid_certificate', 'birthdate']) {
      assert.ok(metadata.scopes_supported?.includes(scope), scope);
    }
    for (const claim of ['given_name', 'family_name', 'name', 'national_id', 'eid_certificate']) {
      assert.ok(metadata.claims_supported?.includes(claim), claim);
    }
    assert.ok(metadata.end_session_endpoint);
    assert.ok(metadata.acr_values_supported?.includes('http://eidas.europa.eu/LoA/high'));
  });

  it('ends in a verified ID token whose claims come from the certificate', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const citizen = await idp.pki.citizen();
    const { claims, tokens, finished } = await loginWith(idp, browser, config, citizen);

    assert.ok(finished.consentPage, 'the consent page is shown on the first login');
    assert.match(finished.consentPage.body, /JUAN ESPAÑOL ESPAÑOL/);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.given_name, 'JUAN');
    assert.equal(claims.family_name, 'ESPAÑOL ESPAÑOL');
    assert.equal(claims.name, 'JUAN ESPAÑOL ESPAÑOL');
    assert.deepEqual(claims.national_id, {
      type: 'IDC',
      country: 'ES',
      value: '00000000T',
      raw: '00000000T',
    });
    assert.equal(claims.acr, 'http://eidas.europa.eu/LoA/high');
    assert.deepEqual(claims.amr, ['hwk', 'sc']);
    const certificateClaim = claims.eid_certificate as Record<string, unknown>;
    assert.equal(certificateClaim.issuer, 'TEST AC DNIE 004');
    assert.equal(certificateClaim.profile, 'es-dnie');
    assert.match(String(certificateClaim.sha256), /^[0-9a-f]{64}$/);
    assert.notEqual(claims.sub, '00000000T');
    assert.doesNotMatch(String(claims.sub), /00000000T/);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(userinfo.name, 'JUAN ESPAÑOL ESPAÑOL');
    await browser.close();
  });

  it('remembers consent: the same person in a new browser is not asked again', async () => {
    const citizen = await idp.pki.citizen({ dni: '22222222J' });
    const first = await loginWith(idp, new TestBrowser({ caPem: idp.tlsCaPem }), config, citizen);
    const second = await loginWith(idp, new TestBrowser({ caPem: idp.tlsCaPem }), config, citizen);
    assert.ok(first.finished.consentPage);
    assert.equal(second.finished.consentPage, undefined);
    assert.equal(second.claims.sub, first.claims.sub);
    assert.equal(second.claims.name, 'JUAN ESPAÑOL ESPAÑOL');
  });

  it('remembers consent across a logout, while the logout revokes the tokens it ends', async () => {
    const citizen = await idp.pki.citizen({ dni: '33333333P' });
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const first = await loginWith(idp, browser, config, citizen);
    assert.ok(first.finished.consentPage);
    const confirm = await browser.fetch(
      oidc.buildEndSessionUrl(config, { id_token_hint: first.tokens.id_token! }).href,
    );
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await browser.fetch(`${idp.issuer}/session/end/confirm`, {
      method: 'POST',
      body: `xsrf=${encodeURIComponent(xsrf)}&logout=yes`,
    });
    assert.equal(done.status, 303);
    await assert.rejects(oidc.fetchUserInfo(config, first.tokens.access_token, first.claims.sub));

    const again = await loginWith(idp, browser, config, citizen);
    assert.equal(again.finished.consentPage, undefined);
    assert.equal(again.claims.name, 'JUAN ESPAÑOL ESPAÑOL');
    // More than was allowed before still asks, for the difference only.
    const more = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      citizen,
      'openid profile national_id eid_certificate birthdate',
    );
    assert.ok(more.finished.consentPage);
  });

  it('keeps the person signed in within one browser session, and prompt=login asks for the card again', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    await loginWith(idp, browser, config, await idp.pki.citizen());
    const sso = await browser.follow(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://rp.example.test/callback',
        scope: 'openid profile national_id eid_certificate',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }).href,
      { stayOn: [idp.issuer] },
    );
    assert.match(sso.at(-1)!.location!, /^https:\/\/rp\.example\.test\/callback\?code=/);
    const again = await beginLogin(idp, browser, config, 'openid profile', { prompt: 'login' });
    assert.match(again.loginPage.body, /id="continue"/);
  });

  it('gives the same pairwise sub to two certificates of the same person', async () => {
    const dnie = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      await idp.pki.citizen(),
    );
    const renewed = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      await idp.pki.citizen(),
    );
    const other = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      await idp.pki.citizen({ dni: '12345678Z' }),
    );
    assert.equal(dnie.claims.sub, renewed.claims.sub);
    assert.notEqual(dnie.claims.sub, other.claims.sub);
  });

  it('releases the national identifier only under its scope', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { claims, finished } = await loginWith(
      idp,
      browser,
      config,
      await idp.pki.citizen({ dni: '11111111H' }),
      'openid profile',
    );
    assert.equal(claims.national_id, undefined);
    assert.equal(claims.eid_certificate, undefined);
    assert.equal(claims.name, 'JUAN ESPAÑOL ESPAÑOL');
    assert.doesNotMatch(finished.consentPage!.body, /11111111H/);
  });

  it('requires PKCE from a public client and gives it the account id as sub', async () => {
    const publicConfig = await relyingParty(idp, { id: PUBLIC_CLIENT_ID });
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const withoutPkce = oidc.buildAuthorizationUrl(publicConfig, {
      redirect_uri: 'https://rp.example.test/callback',
      scope: 'openid',
      nonce: oidc.randomNonce(),
    });
    const refused = await browser.fetch(withoutPkce.href);
    assert.equal(refused.status, 303);
    assert.match(refused.location!, /error=invalid_request/);
    assert.match(decodeURIComponent(refused.location!), /PKCE/);

    const { claims } = await loginWith(idp, browser, publicConfig, await idp.pki.citizen());
    const pairwise = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      await idp.pki.citizen(),
    );
    assert.notEqual(claims.sub, pairwise.claims.sub);
    assert.match(String(claims.sub), /^[A-Za-z0-9_-]{43}$/);
  });

  it('lets the person cancel on the login page, and the relying party gets access_denied', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const hops = await browser.follow(`${idp.issuer}/interaction/${started.uid}/abort`, {
      stayOn: [idp.issuer],
      method: 'POST',
    });
    const back = new URL(hops.at(-1)!.location!);
    assert.equal(back.origin + back.pathname, 'https://rp.example.test/callback');
    assert.equal(back.searchParams.get('error'), 'access_denied');
  });

  it('signs out through RP-initiated logout on a page of its own', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { tokens } = await loginWith(idp, browser, config, await idp.pki.citizen());
    const logoutUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://rp.example.test/',
    });
    const confirm = await browser.fetch(logoutUrl.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /id="logout-yes"/);
    assert.doesNotMatch(confirm.body, /googleapis|<style>/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await browser.fetch(`${idp.issuer}/session/end/confirm`, {
      method: 'POST',
      body: `xsrf=${encodeURIComponent(xsrf)}&logout=yes`,
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, 'https://rp.example.test/');

    // Signed out: a new authorization asks for the card again.
    const again = await beginLogin(idp, browser, config);
    assert.match(again.loginPage.body, /id="continue"/);
  });

  it('sends the certificate step to a separate origin and never asks for a certificate on the OIDC origin', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    assert.notEqual(new URL(idp.certificateOrigin).origin, new URL(idp.issuer).origin);
    assert.ok(
      started.loginPage.body.includes(`${idp.certificateOrigin}/interaction/${started.uid}/certificate`),
    );
    const answer = await presentCertificate(
      idp,
      browser,
      started.uid,
      await clientCertificateOf(await idp.pki.citizen()),
    );
    assert.equal(answer.headers.connection, 'close');
    const finished = await finishLogin(idp, browser, answer.location!);
    assert.equal(finished.redirect.searchParams.get('state'), started.checks.state);
  });
});
