import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import * as oidc from 'openid-client';
import { serializeItem, serializeList } from 'structured-headers';
import type { Issued } from '../../src/cli/dev-pki.js';
import type { ForwardedCertificateFormat } from '../../src/server/forwarded-certificate/index.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, TEST_REDIRECT_URI, type TestIdp } from '../support/idp.js';
import { beginLogin, finishLogin, relyingParty, stepForm, stepTokenOf } from '../support/login-flow.js';
import { plainRequest } from './plain-request.js';

/**
 * Every forwarding format end to end: the certificate origin listens on plain HTTP behind a
 * (simulated) proxy at 127.0.0.1, which forwards the citizen's chain in its header; the login
 * ends in a verified ID token. The proxy is simulated because Envoy, Traefik and ALB do not
 * run here; nginx runs for real in nginx-login.test.ts.
 */
function headersFor(format: ForwardedCertificateFormat, chain: Issued[]): [string, string][] {
  const ders = chain.map((issued) => issued.certificate.rawData);
  const pem = (list: ArrayBuffer[]) => list.map((der) => x509.PemConverter.encode(der, 'CERTIFICATE')).join('\n');
  switch (format) {
    case 'nginx':
      return [['X-SSL-Client-Cert', encodeURIComponent(pem(ders.slice(0, 1)))]];
    case 'aws-alb':
      return [['X-Amzn-Mtls-Clientcert', encodeURIComponent(pem(ders)).replace(/%2B/g, '+').replace(/%2F/g, '/').replace(/%3D/g, '=')]];
    case 'traefik':
      return [['X-Forwarded-Tls-Client-Cert', ders.map((der) => encodeURIComponent(Buffer.from(der).toString('base64'))).join(',')]];
    case 'rfc9440':
      return [
        ['Client-Cert', serializeItem([ders[0]!, new Map()])],
        ['Client-Cert-Chain', serializeList(ders.slice(1).map((der) => [der, new Map()]))],
      ];
    case 'envoy':
      return [[
        'X-Forwarded-Client-Cert',
        `By=spiffe://idp.example;Hash=00;Cert="${encodeURIComponent(pem(ders.slice(0, 1)))}";Chain="${encodeURIComponent(pem(ders))}";Subject="CN=x,C=ES"`,
      ]];
  }
}

for (const format of ['nginx', 'envoy', 'traefik', 'rfc9440', 'aws-alb'] as const) {
  describe(`certificate forwarded in the ${format} format`, () => {
    let idp: TestIdp;
    let config: oidc.Configuration;
    before(async () => {
      idp = await startTestIdp({
        settings: {
          listen: {
            oidc: { host: '127.0.0.1', port: 0 },
            certificate: { host: '127.0.0.1', port: 0, protocol: 'http' },
          },
          proxy: { trustedProxies: ['127.0.0.1'], certificateHeader: { format }, maxHeaderBytes: 16384 },
        },
      });
      config = await relyingParty(idp);
    });
    after(() => idp.close());

    it('a login ends in a verified ID token; the IdP validated the chain itself', async () => {
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      const citizen = await idp.pki.citizen();
      const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
        form: stepForm(stepTokenOf(started.loginPage)),
        headers: headersFor(format, [citizen, idp.pki.issuing]),
      });
      assert.equal(answer.status, 303, answer.body.slice(0, 300));
      const finished = await finishLogin(idp, browser, String(answer.headers.location));
      const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
        pkceCodeVerifier: started.checks.codeVerifier,
        expectedState: started.checks.state,
        expectedNonce: started.checks.nonce,
        idTokenExpected: true,
      });
      assert.equal(tokens.claims()?.name, 'JUAN ESPAÑOL ESPAÑOL');
      assert.ok(finished.redirect.href.startsWith(TEST_REDIRECT_URI));
      const accepted = idp.logLines().find((line) => line.event === 'certificate.accepted');
      assert.equal(accepted?.source, `proxy:${format}`);
    });

    it('a malformed header is refused as CERT_MALFORMED, with no login', async () => {
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      const [[name]] = headersFor(format, [await idp.pki.citizen()]) as [[string, string]];
      const answer = await plainRequest(idp.ports.certificate, `/interaction/${started.uid}/certificate`, {
        form: stepForm(stepTokenOf(started.loginPage)),
        headers: [[name, format === 'traefik' ? '-----BEGIN%20CERTIFICATE' : 'Cert="%ZZ;;']],
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.location, undefined);
      assert.ok(idp.logLines().some((line) => line.event === 'certificate.refused' && line.code === 'CERT_MALFORMED'));
    });
  });
}
