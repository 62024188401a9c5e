import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser, type Response } from '../support/browser.js';
import { startTestIdp, TEST_CLIENT_ID, TEST_REDIRECT_URI, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  presentCertificate,
  relyingParty,
  stepForm,
  stepTokenOf,
} from '../support/login-flow.js';

/**
 * Clickjacking and the security headers: every page and endpoint of both origins, whatever
 * its status, carries them. A page that could be framed could be used to trick a person
 * into confirming consent or choosing their card for someone else's interaction.
 */
describe('attack: clickjacking, and the security headers of every page and endpoint', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  const seen: { name: string; response: Response }[] = [];

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const get = async (name: string, url: string, options: Parameters<TestBrowser['fetch']>[1] = {}) => {
      const response = await browser.fetch(url, options);
      seen.push({ name, response });
      return response;
    };
    const { issuer, certificateOrigin } = idp;

    await get('discovery', `${issuer}/.well-known/openid-configuration`);
    await get('jwks', `${issuer}/jwks`);
    await get('healthz', `${issuer}/healthz`);
    await get('readyz', `${issuer}/readyz`);
    await get('static stylesheet', `${issuer}/static/style.css`);
    await get('static script', `${issuer}/static/form-post.js`);
    await get('unknown path', `${issuer}/no-such-page`);
    await get('authorize, bad request', `${issuer}/auth?client_id=${TEST_CLIENT_ID}`);
    await get(
      'authorize, unknown client',
      `${issuer}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=${TEST_REDIRECT_URI}`,
    );
    await get('token without client', `${issuer}/token`, { method: 'POST', body: 'grant_type=authorization_code' });
    await get('userinfo without token', `${issuer}/me`);
    await get('revocation without client', `${issuer}/token/revocation`, { method: 'POST', body: 'token=x' });
    await get('logout page', `${issuer}/session/end`);
    await get('interaction unknown', `${issuer}/interaction/nothing-here`);
    await get('callback unknown', `${issuer}/interaction/nothing-here/callback?handle=x`);

    const started = await beginLogin(idp, browser, config);
    seen.push({ name: 'login page', response: started.loginPage });
    const stepUrl = `${certificateOrigin}/interaction/${started.uid}/certificate`;
    const step = { method: 'POST' as const, body: stepForm(stepTokenOf(started.loginPage)) };
    await get('certificate step without a card', stepUrl, { ...step, clientCertificate: null });
    await get('certificate step without the step token', stepUrl, {
      method: 'POST',
      body: '',
      clientCertificate: await clientCertificateOf(await idp.pki.citizen()),
    });
    await get('certificate step by GET', stepUrl, { clientCertificate: null });
    const accepted = await get('certificate step with a card', stepUrl, {
      ...step,
      clientCertificate: await clientCertificateOf(await idp.pki.citizen()),
    });
    const callback = await get('callback', accepted.location!);
    await get('consent page', callback.location!);
    await get('certificate origin root', `${certificateOrigin}/`, { clientCertificate: null });
    await get('certificate origin discovery', `${certificateOrigin}/.well-known/openid-configuration`, {
      clientCertificate: null,
    });
    const refused = await presentCertificate(idp, browser, 'x'.repeat(21), null);
    seen.push({ name: 'certificate step, unknown interaction', response: refused });
  });
  after(() => idp.close());

  it('visited every kind of answer: pages, JSON, assets, redirects and errors', () => {
    const statuses = new Set(seen.map(({ response }) => response.status));
    for (const status of [200, 303, 400, 401, 403, 404]) {
      assert.ok(statuses.has(status), `no response with status ${status} was checked`);
    }
    assert.ok(seen.length >= 20);
  });

  it('forbids framing everywhere (X-Frame-Options and CSP frame-ancestors)', () => {
    for (const { name, response } of seen) {
      assert.equal(response.headers['x-frame-options'], 'DENY', name);
      assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/, name);
    }
  });

  it('sends HSTS, nosniff and no-referrer everywhere', () => {
    for (const { name, response } of seen) {
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d{7,}/, name);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', name);
      assert.equal(response.headers['referrer-policy'], 'no-referrer', name);
    }
  });

  it('gives every HTML page a CSP with nothing external and no inline script', () => {
    const pages = seen.filter(({ response }) => /text\/html/.test(String(response.headers['content-type'])));
    assert.ok(pages.length >= 8, `only ${pages.length} HTML pages seen`);
    for (const { name, response } of pages) {
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/, name);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, name);
      assert.match(csp, new RegExp(`script-src ${idp.issuer}(;|$)`), name);
    }
  });

  it('lets no cache keep a page, or the redirect that carries the one-time handle', () => {
    for (const { name, response } of seen) {
      const isPage = /text\/html/.test(String(response.headers['content-type'])) && response.status !== 303;
      const carriesHandle = response.location?.includes('handle=') ?? false;
      if (isPage || carriesHandle) assert.equal(response.headers['cache-control'], 'no-store', name);
    }
  });
});
