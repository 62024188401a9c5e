import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revocationSettings } from '../../src/pki/revocation/settings.js';
import {
  commonName,
  installAutoSelectPolicy,
  removeAutoSelectPolicy,
  saveScreenshot,
} from '../support/chromium.js';
import { startOpensslResponder, type RunningResponder } from '../support/ocsp-responder.js';
import { makeOpensslCa, type OpensslCa } from '../support/openssl-ca.js';
import { makeDniePki, revocationPointers, type TestPki } from '../support/pki.js';
import {
  errorCode,
  finishAtRelyingParty,
  openBrowser,
  presentCard,
  startAtRelyingParty,
  startJourneyIdp,
  type CitizenBrowser,
  type JourneyIdp,
} from './journey.js';

/**
 * A card reported lost: its certificate is revoked at the issuing CA, whose real
 * `openssl ocsp` responder (named in the certificate's AIA, as on a real card) says so.
 * The citizen's browser presents it like any other; the IdP asks the responder and refuses.
 */
describe('a revoked card in Chromium, checked with a real OCSP responder', () => {
  let pki: TestPki;
  let ca: OpensslCa;
  let responder: RunningResponder;
  let journey: JourneyIdp;
  let open: CitizenBrowser | undefined;

  before(async () => {
    pki = await makeDniePki();
    ca = await makeOpensslCa(pki.issuing);
    const signer = await ca.issueResponder();
    responder = await startOpensslResponder({
      indexFile: ca.indexFile,
      caFile: ca.certFile,
      signerCertFile: signer.certFile,
      signerKeyFile: signer.keyFile,
    });
    journey = await startJourneyIdp({
      pki,
      settings: { revocation: revocationSettings({ methods: ['ocsp'], onFailure: 'hard' }) },
    });
    installAutoSelectPolicy([{ origin: journey.idp.certificateOrigin, issuerCn: commonName(pki.issuing) }]);
  });

  after(async () => {
    removeAutoSelectPolicy();
    await open?.close();
    await journey?.close();
    await responder?.close();
  });

  async function cardIn(state: 'good' | 'revoked'): Promise<CitizenBrowser> {
    const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: responder.url }) });
    if (state === 'good') ca.register(citizen);
    else ca.revoke(citizen, 'keyCompromise');
    await open?.close();
    open = await openBrowser(journey, [{ certificate: citizen, chain: [pki.issuing], name: 'card' }]);
    return open;
  }

  it('a card the responder calls good signs in', async () => {
    const before = responder.requests();
    const { page } = await cardIn('good');
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await finishAtRelyingParty(page, journey), 'JUAN ESPAÑOL ESPAÑOL');
    assert.ok(responder.requests() > before, 'the IdP asked the OCSP responder');
  });

  it('a revoked card ends on the "revoked" page, which says to ask for a new one', async () => {
    const before = responder.requests();
    const { page } = await cardIn('revoked');
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await errorCode(page), 'CERT_REVOKED');
    assert.match(await page.locator('#error-title').innerText(), /has been revoked/);
    assert.match(await page.locator('#error-body').innerText(), /Request a new one/);
    assert.ok(responder.requests() > before, 'the IdP asked the OCSP responder');
    assert.equal(await page.locator('#name').count(), 0, 'not signed in');
    await saveScreenshot(page, 'error-cert-revoked-en');
  });
});
