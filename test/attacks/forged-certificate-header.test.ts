import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, request } from 'undici';
import { certificatePem, type Issued } from '../../src/cli/dev-pki.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  relyingParty,
  stepForm,
  stepTokenOf,
} from '../support/login-flow.js';

const TRUSTED_PROXY = '127.0.0.6';

/**
 * The victim's certificate is public (it is sent in every handshake); what an attacker cannot
 * do is sign a handshake with its key. So a header that carries a certificate must never be
 * believed from anyone but a configured proxy. The nginx cases (header sent directly from an
 * untrusted address, several copies from the proxy, the header replaced by nginx, oversized)
 * run against real nginx in test/proxy/nginx-login.test.ts; here every format at once.
 */
function everyFormat(citizen: Issued): Record<string, string> {
  const pem = certificatePem(citizen);
  const base64 = Buffer.from(citizen.certificate.rawData).toString('base64');
  return {
    'x-ssl-client-cert': encodeURIComponent(pem),
    'ssl-client-cert': encodeURIComponent(pem),
    'x-client-cert': encodeURIComponent(pem),
    'x-forwarded-client-cert': `Hash=00;Cert="${encodeURIComponent(pem)}"`,
    'x-forwarded-tls-client-cert': encodeURIComponent(base64),
    'client-cert': `:${base64}:`,
    'x-amzn-mtls-clientcert': encodeURIComponent(pem),
  };
}

describe('attack: a forged client-certificate header', () => {
  let direct: TestIdp;
  let proxied: TestIdp;
  let victim: Issued;

  before(async () => {
    direct = await startTestIdp();
    proxied = await startTestIdp({
      pki: direct.pki,
      settings: {
        proxy: {
          trustedProxies: [TRUSTED_PROXY],
          certificateHeader: { format: 'nginx' },
          maxHeaderBytes: 16384,
        },
      },
    });
    victim = await direct.pki.citizen({ dni: '00000000T' });
  });
  after(async () => {
    await direct.close();
    await proxied.close();
  });

  /** The login page's "Continue" form of one interaction, posted with the given headers. */
  async function certificateStep(
    idp: TestIdp,
    interaction: { uid: string; stepToken: string | undefined },
    headers: Record<string, string>,
    localAddress = '127.0.0.1',
  ) {
    const dispatcher = new Agent({ connect: { ca: idp.tlsCaPem }, localAddress });
    try {
      const response = await request(`${idp.certificateOrigin}/interaction/${interaction.uid}/certificate`, {
        method: 'POST',
        body: stepForm(interaction.stepToken),
        dispatcher,
        headers: {
          'accept-language': 'en',
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
      });
      const body = await response.body.text();
      return { status: response.statusCode, body, location: response.headers.location };
    } finally {
      await dispatcher.close();
    }
  }

  async function interactionOf(idp: TestIdp): Promise<{ uid: string; stepToken: string | undefined }> {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, await relyingParty(idp));
    return { uid: started.uid, stepToken: stepTokenOf(started.loginPage) };
  }

  it('ignores the headers of every proxy format sent straight to an IdP with no proxy', async () => {
    const answer = await certificateStep(direct, await interactionOf(direct), everyFormat(victim));
    assert.equal(answer.status, 403);
    assert.equal(answer.location, undefined);
    assert.match(answer.body, /data-code="CERT_MISSING"/);
    assert.ok(direct.logLines().some((line) => line.event === 'proxy.header_ignored'));
  });

  it("signs in the handshake's card, never the certificate in a header sent alongside it", async () => {
    const config = await relyingParty(direct);
    const browser = new TestBrowser({ caPem: direct.tlsCaPem });
    const started = await beginLogin(direct, browser, config);
    const attackersCard = await direct.pki.citizen({ dni: '12345678Z' });
    const answer = await browser.fetch(
      `${direct.certificateOrigin}/interaction/${started.uid}/certificate`,
      {
        method: 'POST',
        body: stepForm(stepTokenOf(started.loginPage)),
        clientCertificate: await clientCertificateOf(attackersCard),
        headers: everyFormat(victim),
      },
    );
    assert.equal(answer.status, 303);
    const finished = await finishLogin(direct, browser, answer.location!);
    const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
      pkceCodeVerifier: started.checks.codeVerifier,
      expectedState: started.checks.state,
      expectedNonce: started.checks.nonce,
      idTokenExpected: true,
    });
    const nationalId = tokens.claims()!.national_id as { value: string };
    assert.equal(nationalId.value, '12345678Z');
  });

  it('reads, even from the trusted proxy, only the header of the configured format', async () => {
    const { 'x-ssl-client-cert': _configured, ...others } = everyFormat(victim);
    const answer = await certificateStep(
      proxied,
      await interactionOf(proxied),
      { ...others, 'x_ssl_client_cert': encodeURIComponent(certificatePem(victim)) },
      TRUSTED_PROXY,
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.location, undefined);
    assert.match(answer.body, /data-code="CERT_MISSING"/);
  });

  it('ignores the configured header from an address that is not the trusted proxy', async () => {
    const answer = await certificateStep(proxied, await interactionOf(proxied), {
      'x-ssl-client-cert': encodeURIComponent(certificatePem(victim)),
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /data-code="CERT_MISSING"/);
  });

  it('takes the certificate from the trusted proxy header (the positive control)', async () => {
    const answer = await certificateStep(
      proxied,
      await interactionOf(proxied),
      { 'x-ssl-client-cert': encodeURIComponent(certificatePem(victim)) },
      TRUSTED_PROXY,
    );
    assert.equal(answer.status, 303, answer.body.slice(0, 200));
  });
});
