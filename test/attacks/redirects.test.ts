import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, TEST_CLIENT_ID, TEST_REDIRECT_URI, type TestIdp } from '../support/idp.js';
import { loginWith, relyingParty } from '../support/login-flow.js';

/**
 * Open redirects and redirect_uri tricks: the IdP sends a browser (with a code, or after
 * logout) only to a URI registered for the client, compared exactly. Anything else ends on
 * our error page, never in a redirect.
 */
const TRICKS: [string, string][] = [
  ['unregistered', 'https://evil.example/callback'],
  ['prefix of the registered one', 'https://rp.example.test/call'],
  ['registered one with a suffix', `${TEST_REDIRECT_URI}/../../evil`],
  ['registered one with an extra path', `${TEST_REDIRECT_URI}.evil.example`],
  ['registered one with a query', `${TEST_REDIRECT_URI}?next=https://evil.example`],
  ['registered one on another port', 'https://rp.example.test:8443/callback'],
  ['registered one over http', 'http://rp.example.test/callback'],
  ['registered one with a fragment', `${TEST_REDIRECT_URI}#evil`],
  ['userinfo trick', 'https://rp.example.test@evil.example/callback'],
  ['javascript: URI', 'javascript:alert(document.domain)//'],
  ['data: URI', 'data:text/html,<script>alert(1)</script>'],
  ['upper-case host', 'https://RP.EXAMPLE.TEST/callback'],
];

describe('attack: open redirects and redirect_uri tricks', () => {
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  for (const [name, redirectUri] of TRICKS) {
    it(`refuses a redirect_uri that is the ${name}`, async () => {
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const url = new URL(`${idp.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: TEST_CLIENT_ID,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        state: 'state-value',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const answer = await browser.fetch(url.href);
      assert.equal(answer.status, 400);
      assert.equal(answer.location, undefined, `redirected to ${answer.location}`);
      assert.match(String(answer.headers['content-type']), /text\/html/);
      assert.match(answer.body, /data-code="invalid_redirect_uri"/);
    });
  }

  it('after logout, goes only to a registered post_logout_redirect_uri', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const config = await relyingParty(idp);
    const { tokens } = await loginWith(idp, browser, config, await idp.pki.citizen());
    for (const target of ['https://evil.example/', 'https://rp.example.test/evil', 'javascript:alert(1)']) {
      const url = new URL(`${idp.issuer}/session/end`);
      url.search = new URLSearchParams({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: target,
      }).toString();
      const answer = await browser.fetch(url.href);
      assert.equal(answer.location, undefined, `redirected to ${answer.location}`);
      assert.equal(answer.status, 400, target);
      assert.doesNotMatch(String(answer.headers['content-security-policy']), /evil\.example/);
    }
  });

  it('keeps the language switch on the same page', async () => {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const answer = await browser.fetch(`${idp.issuer}/interaction/x?lang=https://evil.example`);
    assert.doesNotMatch(answer.body, /href="(https?:)?\/\/evil/);
    assert.equal(answer.location, undefined);
  });
});
