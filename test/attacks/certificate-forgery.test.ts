import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { generateKeys, issue, type Issued } from '../../src/cli/dev-pki.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import type { ClientCertificate } from '../support/browser.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, clientCertificateOf, presentCertificate, relyingParty } from '../support/login-flow.js';
import { dnieSubject, makeDniePki, type TestPki } from '../support/pki.js';
import { countIssuedCodes, dataCode } from './helpers.js';

const VICTIM_DNI = '00000000T';
const FNMT_PERSON_POLICY = '1.3.6.1.4.1.5734.3.10.1';
const DNIE_AUTHENTICATION_POLICY = '2.16.724.1.2.2.2.4';

function parsed(issued: Issued): ParsedCertificate {
  return ParsedCertificate.fromDer(new Uint8Array(issued.certificate.rawData));
}

/**
 * Forged and misused certificates presented over real TLS to the certificate origin: each
 * impersonates the victim (DNI 00000000T) and must end on a refusal page, with no handle and
 * no authorization code. Expired, not-yet-valid and signature certificates:
 * test/e2e/refusals.test.ts; PKITS and unit cases: test/pki/.
 */
describe('attack: forged and misused certificates', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let codesIssued: () => number;
  /** A second national PKI, trusted for Estonian cards only. */
  let estonian: TestPki;

  before(async () => {
    const pki = await makeDniePki();
    estonian = await makeDniePki({ rootCn: 'TEST ESTEID ROOT' });
    const trustStore = TrustStore.fromCertificates({
      anchors: [
        { certificate: parsed(pki.root), profile: 'es-dnie', environment: 'test' },
        // No profile hint: the profile is chosen from the leaf.
        { certificate: parsed(estonian.root), environment: 'test' },
      ],
      intermediates: [parsed(pki.issuing), parsed(estonian.issuing)],
    });
    idp = await startTestIdp({ pki, settings: { trustStore } });
    config = await relyingParty(idp);
    codesIssued = countIssuedCodes(idp);
  });
  after(() => idp.close());

  async function attempt(card: ClientCertificate): Promise<string | undefined> {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const { uid } = await beginLogin(idp, browser, config);
    const before = codesIssued();
    const answer = await presentCertificate(idp, browser, uid, card);
    assert.equal(answer.location, undefined, 'a forged certificate never gets a handle');
    assert.equal(answer.status, 403);
    assert.equal(codesIssued(), before);
    return dataCode(answer);
  }

  it('refuses a leaf naming the trusted issuing CA, with its key id, signed by another key', async () => {
    const attackerKeys = await generateKeys('rsa-2048');
    // Issuer name and authorityKeyIdentifier copied from the real CA; the signature is not.
    const impostor: Issued = { certificate: idp.pki.issuing.certificate, keys: attackerKeys };
    const forged = await issue({
      subject: dnieSubject(VICTIM_DNI),
      issuer: impostor,
      policies: [DNIE_AUTHENTICATION_POLICY],
    });
    assert.equal(await attempt(await clientCertificateOf(forged)), 'CERT_SIGNATURE_INVALID');
  });

  it('refuses a whole chain that copies the names and key ids of the trusted one', async () => {
    const fakeRootKeys = await generateKeys('rsa-2048');
    const fakeIssuing = await issue({
      subject: [{ C: ['ES'] }, { O: ['eid-idp tests'] }, { CN: ['TEST AC DNIE 004'] }],
      issuer: { certificate: idp.pki.root.certificate, keys: fakeRootKeys },
      ca: { pathLength: 0 },
    });
    const forged = await issue({
      subject: dnieSubject(VICTIM_DNI),
      issuer: fakeIssuing,
      policies: [DNIE_AUTHENTICATION_POLICY],
    });
    const code = await attempt(await clientCertificateOf(forged, [fakeIssuing]));
    assert.ok(code === 'CERT_SIGNATURE_INVALID' || code === 'CHAIN_UNTRUSTED', code);
  });

  it("refuses a leaf issued with a citizen's own (non-CA) certificate", async () => {
    // The attacker holds a genuine card of their own and signs a certificate for the victim.
    const attackersCard = await idp.pki.citizen({ dni: '12345678Z' });
    const forged = await issue({
      subject: dnieSubject(VICTIM_DNI),
      issuer: attackersCard,
      policies: [DNIE_AUTHENTICATION_POLICY],
    });
    // OpenSSL does not even link a certificate without keyCertSign as the issuer, so the
    // IdP sees the forged leaf alone (untrusted); had it been linked, the IdP's own check
    // refuses a non-CA in the path (test/pki/validate-path.test.ts).
    const code = await attempt(await clientCertificateOf(forged, [attackersCard]));
    assert.ok(code === 'CHAIN_UNTRUSTED' || code === 'CHAIN_INVALID', code);
  });

  it("refuses a leaf under the DNIe anchor that carries another profile's policy", async () => {
    const fnmtLooking = await idp.pki.citizen({
      subject: [
        { C: ['ES'] },
        { '2.5.4.5': [`IDCES-${VICTIM_DNI}`] },
        { SN: ['ESPAÑOL ESPAÑOL'] },
        { G: ['JUAN'] },
        { CN: [`ESPAÑOL ESPAÑOL JUAN - ${VICTIM_DNI}`] },
      ],
      policies: [FNMT_PERSON_POLICY],
    });
    assert.equal(await attempt(await clientCertificateOf(fnmtLooking)), 'CERT_WRONG_USAGE');
  });

  it("refuses a DNIe-looking leaf from a CA trusted for another country's cards", async () => {
    // The Estonian issuing CA's subject says C=ES in makeDniePki; give it its own country.
    const estonianIssuing = await issue({
      subject: [{ C: ['EE'] }, { O: ['eid-idp tests'] }, { CN: ['TEST of ESTEID2018'] }],
      issuer: estonian.root,
      ca: { pathLength: 0 },
    });
    const dnieLooking = await issue({
      subject: dnieSubject(VICTIM_DNI),
      issuer: estonianIssuing,
      policies: [DNIE_AUTHENTICATION_POLICY],
    });
    // Mapped by the Estonian profile (issuer C=EE), whose rules refuse it; never as a DNIe.
    assert.equal(
      await attempt(await clientCertificateOf(dnieLooking, [estonianIssuing])),
      'CERT_WRONG_USAGE',
    );
  });
});
