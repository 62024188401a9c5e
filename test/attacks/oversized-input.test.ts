import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import * as x509 from '@peculiar/x509';
import { issue, type Issued } from '../../src/cli/dev-pki.js';
import { EidError } from '../../src/errors.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { decideCertificate } from '../../src/pki/decision.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, clientCertificateOf, presentCertificate, relyingParty } from '../support/login-flow.js';
import { dataCode } from './helpers.js';

/** DER of `depth` nested SEQUENCEs around a NULL. */
function nestedSequences(depth: number): Uint8Array<ArrayBuffer> {
  let inner = Buffer.from([0x05, 0x00]);
  for (let level = 0; level < depth; level += 1) {
    const length = inner.length;
    const lengthBytes =
      length < 0x80 ? [length]
        : length < 0x100 ? [0x81, length]
          : length < 0x10000 ? [0x82, length >> 8, length & 0xff]
            : [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
    inner = Buffer.concat([Buffer.from([0x30, ...lengthBytes]), inner]);
  }
  return new Uint8Array(inner);
}

/**
 * Oversized and deeply nested input: each ends in a clear status or refusal code, and the
 * server goes on serving. (Bounded time is the test runner's timeout; no timing is asserted.)
 */
describe('attack: oversized and deeply nested input', () => {
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  async function stillServes(): Promise<void> {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid } = await beginLogin(idp, browser, await relyingParty(idp));
    const answer = await presentCertificate(idp, browser, uid, await clientCertificateOf(await idp.pki.citizen()));
    assert.equal(answer.status, 303, 'a normal login still works afterwards');
  }

  it('answers 431 to a huge request header on both origins', async () => {
    const dispatcher = new Agent({ connect: { ca: idp.tlsCaPem } });
    try {
      for (const origin of [idp.issuer, idp.certificateOrigin]) {
        const response = await request(`${origin}/interaction/x/certificate`, {
          dispatcher,
          headers: { 'x-padding': 'a'.repeat(64 * 1024) },
        });
        await response.body.text();
        assert.equal(response.statusCode, 431, origin);
      }
    } finally {
      await dispatcher.close();
    }
    await stillServes();
  });

  it('refuses a handshake carrying a huge chain, and keeps serving', async () => {
    // 40 CA certificates of about 1 KB each after the leaf: more than anyone's card sends.
    const junk: Issued[] = [];
    let parent: Issued | undefined;
    for (let i = 0; i < 40; i += 1) {
      parent = await issue({
        subject: [{ CN: [`junk CA ${i}`] }],
        ca: {},
        keyKind: 'ec-p256',
        ...(parent ? { issuer: parent } : {}),
      });
      junk.push(parent);
    }
    const leaf = await issue({ subject: [{ CN: ['leaf'] }], issuer: parent!, keyKind: 'ec-p256' });
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid } = await beginLogin(idp, browser, await relyingParty(idp));
    const answer = await presentCertificate(idp, browser, uid, await clientCertificateOf(leaf, junk.reverse()));
    assert.equal(answer.status, 403);
    assert.ok(['CHAIN_UNTRUSTED', 'CHAIN_TOO_COMPLEX'].includes(dataCode(answer) ?? ''), dataCode(answer));
    await stillServes();
  });

  it('refuses a chain too big for a TLS handshake at the TLS layer, and keeps serving', async () => {
    // RSA certificates with a 40 KB extension each: over OpenSSL's 100 KB certificate list.
    const padding = new Uint8Array(40 * 1024).fill(0x41);
    const fat = await issue({
      subject: [{ CN: ['fat'] }],
      extensions: [new x509.Extension('1.2.3.4', false, Buffer.concat([Buffer.from([0x04, 0x82, 0xa0, 0x00]), padding]))],
      ca: {},
    });
    const leaf = await issue({ subject: [{ CN: ['leaf'] }], issuer: fat });
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const card = await clientCertificateOf(leaf, [fat, fat, fat]);
    await assert.rejects(
      browser.fetch(`${idp.certificateOrigin}/interaction/x/certificate`, { clientCertificate: card }),
    );
    await stillServes();
  });

  it('refuses deeply nested and oversized DER with CERT_MALFORMED, never another error', async () => {
    const trustStore = TrustStore.fromCertificates({ anchors: [], intermediates: [] });
    for (const der of [
      nestedSequences(50_000),
      Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(16)]),
      new Uint8Array(4 * 1024 * 1024).fill(0x30),
    ]) {
      assert.throws(
        () => ParsedCertificate.fromDer(der),
        (error: unknown) => error instanceof EidError && error.code === 'CERT_MALFORMED',
      );
      const decision = await decideCertificate([der], { trustStore });
      assert.equal(decision.ok, false);
      assert.equal(decision.ok ? undefined : decision.code, 'CERT_MALFORMED');
    }
  });

  it('refuses a certificate whose extension is deeply nested, as malformed', async () => {
    const leaf = await idp.pki.citizen({
      policies: undefined,
      extensions: [new x509.Extension('2.5.29.32', false, nestedSequences(20_000))],
    });
    const parsed = (issued: Issued) => ParsedCertificate.fromDer(new Uint8Array(issued.certificate.rawData));
    const trustStore = TrustStore.fromCertificates({
      anchors: [{ certificate: parsed(idp.pki.root), profile: 'es-dnie', environment: 'test' }],
      intermediates: [parsed(idp.pki.issuing)],
    });
    const decision = await decideCertificate([new Uint8Array(leaf.certificate.rawData)], { trustStore });
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_MALFORMED');

    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid } = await beginLogin(idp, browser, await relyingParty(idp));
    const answer = await presentCertificate(idp, browser, uid, await clientCertificateOf(leaf));
    assert.equal(answer.status, 400);
    assert.equal(dataCode(answer), 'CERT_MALFORMED');
  });
});
