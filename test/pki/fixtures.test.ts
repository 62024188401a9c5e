import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { RefusalCode } from '../../src/errors.js';
import { decideCertificate, type CertificateDecision } from '../../src/pki/decision.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { REPO_ROOT } from '../support/paths.js';
import { writeFixtureTrustDirectory } from './fixture-trust.js';
import { makeDniePki } from '../support/pki.js';
import { der, loadFixture, parsed } from './helpers.js';

/**
 * Every file of ../shared/fixtures/eid-certs through decideCertificate (the one decision
 * function), at a time inside that certificate's validity, with the fixture CAs loaded from a
 * trust.yaml as an administrator would configure them. Each file is accepted with its card
 * profile, or refused for the reason written next to it.
 *
 * Revocation is not part of these cases: the *revocado* certificates can only be proven
 * revoked by the live responders (tests of revocation use their own responder).
 */

type Expected =
  | { accept: string; environment: 'production' | 'test' }
  | { refuse: RefusalCode; why: string };

const accept = (profile: string, environment: 'production' | 'test' = 'test'): Expected => ({
  accept: profile,
  environment,
});
const refuse = (code: RefusalCode, why: string): Expected => ({ refuse: code, why });

const UNTRUSTED_ISSUER = refuse('CHAIN_UNTRUSTED', 'its issuing CA is not among the fixtures');
const SIGNATURE_ONLY = refuse('CERT_SIGNATURE_ONLY', 'the card\'s signature certificate');
const CA_AS_LEAF = refuse('CERT_WRONG_USAGE', 'a CA certificate is not a citizen\'s');
const ANCHOR_AS_LEAF = refuse('CHAIN_UNTRUSTED', 'an anchor presented alone has no path');

const EXPECTED: Record<string, Expected> = {
  // Citizens' certificates.
  'TEST-BE-eID-NoraSpecimen-auth-EC-P384.pem': accept('be-eid'),
  'TEST-BE-eID-NoraSpecimen-auth-RSA2048.pem': accept('be-eid'),
  'TEST-EE-ESTEID-SK2015-MANNIK-sign-digital-signature.pem': SIGNATURE_ONLY,
  'TEST-EE-ESTEID2018-JOEORG-SIGN-nonrepudiation-EC-P384.pem': SIGNATURE_ONLY,
  'TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem': accept('ee-esteid'),
  'TEST-EE-ESTEID2018-JOEORG-auth-TAMPERED-wrongpolicy-badsig.pem': refuse(
    'CERT_SIGNATURE_INVALID',
    'its policy was edited after signing',
  ),
  'TEST-ES-Camerfirma-Representante-SOLO-PRUEBAS-00000000T.pem': UNTRUSTED_ISSUER,
  'TEST-ES-DNIe-AC001-CiudadanoFicticio-99999018D-AUTH-2018-accentCN.pem': accept(
    'es-dnie',
    'production',
  ),
  'TEST-ES-DNIe-AC001-ESPECIMEN-99999002Q-FIRMA-specimencard.pem': SIGNATURE_ONLY,
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem': accept('es-dnie', 'production'),
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-caducado-expired.pem': accept(
    'es-dnie',
    'production',
  ),
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-revocado.pem': accept(
    'es-dnie',
    'production',
  ),
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-FIRMA-activo.pem': SIGNATURE_ONLY,
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-99999018D-AUTH-2018-slashCN.pem': accept(
    'es-dnie',
    'production',
  ),
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999972C-activo.pem': accept(
    'es-fnmt',
    'production',
  ),
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999999R-activo.pem': accept(
    'es-fnmt',
    'production',
  ),
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999999R-revocado.pem': accept(
    'es-fnmt',
    'production',
  ),
  'TEST-ES-Firmaprofesional-PF-PNOES-X9999999J-NIE.pem': UNTRUSTED_ISSUER,
  'TEST-ES-Izenpe-Ciudadano-FICTICIO-99999990S.pem': UNTRUSTED_ISSUER,
  'TEST-FI-DVV-G5E-SPECIMEN-AUVINEN-SIGN-FinEIDv4.pem': SIGNATURE_ONLY,
  'TEST-FI-DVV-G5E-SPECIMEN-AUVINEN-auth-EC-FinEIDv4.pem': accept('fi-fineid'),
  'TEST-FI-DVV-G5E-SPECIMEN-BACKMAN-auth-EC.pem': accept('fi-fineid'),
  'TEST-FI-VRK-G3-SPECIMEN-NISYJU-SIGN-FinEIDv3.pem': UNTRUSTED_ISSUER,
  'TEST-FI-VRK-G3-SPECIMEN-NISYJU-auth-RSA-FinEIDv3.pem': UNTRUSTED_ISSUER,
  'TEST-FI-VRK-G4-SPECIMEN-BABAFO-auth-RSA.pem': accept('fi-fineid'),
  'TEST-LV-DEMO-eID-ICA2017-KULIS-SIGN.pem': UNTRUSTED_ISSUER,
  'TEST-LV-DEMO-eID-ICA2017-KULIS-auth.pem': UNTRUSTED_ISSUER,
  'TEST-LV-DEMO-eID-ICA2017-PARAUDZINS-auth-RSA.pem': UNTRUSTED_ISSUER,
  // CA certificates presented as if they were a citizen's.
  'CA-BE-Belgium-Root-CA4-root.pem': ANCHOR_AS_LEAF,
  'CA-BE-Citizen-CA-202002-under-BRCA6-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-BE-eID-TEST-EC-Citizen-CA.pem': CA_AS_LEAF,
  'CA-BE-eID-TEST-EC-Root-CA.pem': ANCHOR_AS_LEAF,
  'CA-EE-ESTEID2018-prod-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-EE-ESTEID2025-prod-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-EE-TEST-of-ESTEID-SK2015-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-EE-TEST-of-ESTEID2018-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-EE-Test-ESTEID2025-intermediate.pem': ANCHOR_AS_LEAF,
  'CA-ES-AC-DNIE-001-intermediate.pem': CA_AS_LEAF,
  'CA-ES-AC-DNIE-004-intermediate.pem': CA_AS_LEAF,
  'CA-ES-AC-DNIE-005-intermediate.pem': CA_AS_LEAF,
  'CA-ES-AC-DNIE-006-intermediate.pem': CA_AS_LEAF,
  'CA-ES-AC-FNMT-Usuarios-intermediate.pem': CA_AS_LEAF,
  'CA-ES-AC-RAIZ-DNIE-2-root.pem': ANCHOR_AS_LEAF,
  'CA-ES-AC-RAIZ-DNIE-root-2006.pem': ANCHOR_AS_LEAF,
  'CA-ES-AC-RAIZ-FNMT-RCM-root.pem': ANCHOR_AS_LEAF,
  'CA-FI-DVV-TEST-Certificates-G5E.pem': ANCHOR_AS_LEAF,
  'CA-FI-VRK-TEST-CA-G4.pem': ANCHOR_AS_LEAF,
  'CA-PT-Cartao-de-Cidadao-008.pem': CA_AS_LEAF,
  'CA-PT-EC-de-Autenticacao-do-CC-0019-P384.pem': CA_AS_LEAF,
  'CA-PT-EC-de-Autenticacao-do-CC-0020-P384.pem': CA_AS_LEAF,
  'CA-PT-ECRaizEstado-002-root.pem': ANCHOR_AS_LEAF,
  'CA-PT-TESTE-Cartao-de-Cidadao-004-root.pem': ANCHOR_AS_LEAF,
  'CA-PT-TESTE-EC-de-Autenticacao-0013.pem': CA_AS_LEAF,
};

const FIXTURE_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'eid-certs');

function leafOf(file: string) {
  const [certificate] = loadFixture(file);
  assert.ok(certificate, `no certificate in ${file}`);
  return certificate;
}

/** The middle of a certificate's validity: inside it whatever the clock says today. */
function insideValidity(file: string): Date {
  const leaf = leafOf(file);
  return new Date((leaf.notBefore.getTime() + leaf.notAfter.getTime()) / 2);
}

function describeOutcome(decision: CertificateDecision): string {
  return decision.ok ? `accepted (${decision.identity.profile})` : `${decision.code}: ${decision.detail}`;
}

/** Personal data of the fixtures that must never appear in a refusal detail (it is logged). */
const PERSONAL = [/Ficticio/i, /JÕEORG|JOEORG/, /MÄNNIK/, /AUVINEN/, /KULI/, /\d{8}[A-Z]\b/];

describe('every public eID fixture through decideCertificate', () => {
  let trustStore: TrustStore;
  before(async () => {
    trustStore = await TrustStore.loadDirectories([writeFixtureTrustDirectory()]);
  });

  it('has an expected outcome for exactly the files in the fixture directory', () => {
    const files = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.pem')).sort();
    assert.deepEqual(Object.keys(EXPECTED).sort(), files);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    const label =
      'accept' in expected
        ? `accepts ${file} as ${expected.accept} (${expected.environment})`
        : `refuses ${file} with ${expected.refuse}: ${expected.why}`;
    it(label, async () => {
      const decision = await decideCertificate([leafOf(file).der], { trustStore }, insideValidity(file));
      if ('accept' in expected) {
        assert.equal(decision.ok, true, describeOutcome(decision));
        assert.ok(decision.ok);
        assert.equal(decision.identity.profile, expected.accept);
        assert.equal(decision.anchor.profile, expected.accept);
        assert.equal(decision.anchor.environment, expected.environment);
        assert.ok(decision.checks.every((check) => check.ok));
        return;
      }
      assert.equal(decision.ok ? 'accepted' : decision.code, expected.refuse, describeOutcome(decision));
      assert.ok(!decision.ok);
      for (const pattern of PERSONAL) assert.doesNotMatch(decision.detail, pattern);
    });
  }

  it('refuses the expired fictitious DNIe citizen once past its notAfter', async () => {
    const file = 'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-caducado-expired.pem';
    const leaf = leafOf(file);
    const after = new Date(leaf.notAfter.getTime() + 24 * 3600 * 1000);
    const decision = await decideCertificate([leaf.der], { trustStore }, after);
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_EXPIRED');
  });

  it('accepts the DNIe leaf sent with its intermediate, in either order', async () => {
    const file = 'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem';
    const intermediate = leafOf('CA-ES-AC-DNIE-004-intermediate.pem').der;
    const leaf = leafOf(file).der;
    const at = insideValidity(file);
    const decision = await decideCertificate([leaf, intermediate], { trustStore }, at);
    assert.equal(decision.ok, true, describeOutcome(decision));
    assert.equal(decision.ok && decision.path.length, 2);
  });

  it('refuses a DNIe leaf when only another country is trusted', async () => {
    const file = 'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem';
    const portugal = TrustStore.fromCertificates({
      anchors: [{ certificate: leafOf('CA-PT-ECRaizEstado-002-root.pem'), environment: 'production' }],
      intermediates: [leafOf('CA-ES-AC-DNIE-004-intermediate.pem')],
    });
    const decision = await decideCertificate([leafOf(file).der], { trustStore: portugal }, insideValidity(file));
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CHAIN_UNTRUSTED');
  });

  it('refuses a certificate whose policy belongs to another profile than its anchor says', async () => {
    // The Estonian authentication certificate is valid for ee-esteid; an anchor declared as
    // es-dnie makes the DNIe rules apply, and the Estonian policy is not DNIe authentication.
    const file = 'TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem';
    const misdeclared = TrustStore.fromCertificates({
      anchors: [
        {
          certificate: leafOf('CA-EE-TEST-of-ESTEID2018-intermediate.pem'),
          environment: 'test',
          profile: 'es-dnie',
        },
      ],
    });
    const decision = await decideCertificate([leafOf(file).der], { trustStore: misdeclared }, insideValidity(file));
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_WRONG_USAGE');
    assert.match(decision.ok ? '' : decision.detail, /es-dnie/);
  });

  it('has a human message for CERT_SIGNATURE_ONLY in both languages', () => {
    for (const locale of ['en', 'es']) {
      const messages = JSON.parse(
        readFileSync(path.join(REPO_ROOT, 'views', 'locales', `${locale}.json`), 'utf8'),
      ) as Record<string, string>;
      assert.ok(messages['error.CERT_SIGNATURE_ONLY.title'], locale);
      assert.ok(messages['error.CERT_SIGNATURE_ONLY.body'], locale);
    }
  });
});

describe('leaf purpose through decideCertificate (generated DNIe-profile chains)', () => {
  const DNIE_AUTH = '2.16.724.1.2.2.2.4';
  const DNIE_SIGN = '2.16.724.1.2.2.2.3';
  const FNMT_AUTH = '1.3.6.1.4.1.5734.3.10.1';
  const ANY_POLICY = '2.5.29.32.0';

  async function decide(policies: string[], keyUsage?: number, extendedKeyUsage?: string[]) {
    const pki = await makeDniePki();
    const leaf = await pki.citizen({
      policies,
      ...(keyUsage === undefined ? {} : { keyUsage }),
      ...(extendedKeyUsage === undefined ? {} : { extendedKeyUsage }),
    });
    const trustStore = TrustStore.fromCertificates({
      anchors: [{ certificate: parsed(pki.root), environment: 'test', profile: 'es-dnie' }],
    });
    return decideCertificate([der(leaf), der(pki.issuing)], { trustStore });
  }

  it('accepts the DNIe authentication policy with digitalSignature', async () => {
    const decision = await decide([DNIE_AUTH]);
    assert.equal(decision.ok, true, describeOutcome(decision));
  });

  it('refuses the DNIe signature policy with nonRepudiation as CERT_SIGNATURE_ONLY', async () => {
    const decision = await decide([DNIE_SIGN], 0x40 /* nonRepudiation */);
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_SIGNATURE_ONLY');
  });

  it('never counts anyPolicy as the authentication policy', async () => {
    const decision = await decide([ANY_POLICY]);
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_WRONG_USAGE');
  });

  it('refuses a key whose extended key usage excludes TLS client authentication', async () => {
    const emailOnly = await decide([DNIE_AUTH], undefined, ['1.3.6.1.5.5.7.3.4']);
    assert.equal(emailOnly.ok ? 'accepted' : emailOnly.code, 'CERT_WRONG_USAGE');
    assert.match(emailOnly.ok ? '' : emailOnly.detail, /clientAuth/);
    const withClientAuth = await decide([DNIE_AUTH], undefined, ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
    assert.equal(withClientAuth.ok, true, describeOutcome(withClientAuth));
  });

  it('refuses the FNMT authentication policy under a DNIe anchor', async () => {
    const decision = await decide([FNMT_AUTH]);
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_WRONG_USAGE');
  });
});
