import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, clientCertificateOf, finishLogin, presentCertificate, relyingParty } from '../support/login-flow.js';

/**
 * The logs of a whole login, checked for what must never be in them: the person's names and
 * national identifier, the certificate, the one-time handle, the authorization code and the
 * tokens. And every login event carries the id of the request it happened in.
 */
describe('structured logs of a login', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  it('hold request ids and no personal data, certificate, handle, code or token', async () => {
    const config = await relyingParty(idp);
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const citizen = await idp.pki.citizen({ dni: '12345678Z' });
    const started = await beginLogin(idp, browser, config);
    const answer = await presentCertificate(idp, browser, started.uid, await clientCertificateOf(citizen));
    assert.equal(answer.status, 303);
    const handle = new URL(answer.location!).searchParams.get('handle')!;
    const finished = await finishLogin(idp, browser, answer.location!);
    const code = finished.redirect.searchParams.get('code')!;
    const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
      pkceCodeVerifier: started.checks.codeVerifier,
      expectedState: started.checks.state,
      expectedNonce: started.checks.nonce,
      idTokenExpected: true,
    });

    const lines = idp.logLines();
    const text = JSON.stringify(lines);
    const certificateBase64 = Buffer.from(citizen.certificate.rawData).toString('base64');
    const forbidden: Record<string, string> = {
      'national identifier': '12345678Z',
      'given name': 'JUAN',
      'family name': 'ESPAÑOL',
      'certificate (base64 DER, any 40 characters of it)': certificateBase64.slice(200, 240),
      handle,
      'authorization code': code,
      'access token': tokens.access_token,
      'ID token': tokens.id_token!,
      'PKCE verifier': started.checks.codeVerifier,
    };
    for (const [what, value] of Object.entries(forbidden)) {
      assert.ok(value && value.length >= 8 || what.includes('name'), `${what} is a real value`);
      assert.ok(!text.includes(value), `the logs contain the ${what}`);
    }
    assert.doesNotMatch(text, /BEGIN CERTIFICATE/);

    for (const name of ['certificate.accepted', 'login.succeeded']) {
      const event = lines.find((line) => line.event === name);
      assert.ok(event, `${name} logged`);
      assert.equal(typeof event.level, 'string');
      assert.equal(event.service, 'eid-idp');
      assert.match(String(event.account), /^[A-Za-z0-9_-]{16}$/, 'the account as a keyed pseudonym');
    }
    const accepted = lines.find((line) => line.event === 'certificate.accepted')!;
    assert.match(String(accepted.requestId), /^[A-Za-z0-9_-]{12}$/);
    assert.equal(answer.headers['x-request-id'], accepted.requestId, 'the log line names the request');
  });
});
