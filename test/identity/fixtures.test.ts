import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { mapIdentity } from '../../src/identity/index.js';
import type {
  CertificateFacts,
  IdentityClaims,
  IdentityResult,
} from '../../src/identity/types.js';
import { fixtureFacts, fixturePath } from './fixture-files.js';

/**
 * Every public test certificate in ../shared/fixtures/eid-certs, mapped without an anchor
 * hint (the profile is found by issuer and policy) and compared with the exact result:
 * claims with accents and compound names for authentication certificates, the refusal code
 * for signature certificates. Expiry, revocation and signatures are the pki layer's job.
 */

const HIGH = 'http://eidas.europa.eu/LoA/high';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';

function card(profile: string, claims: IdentityClaims): IdentityResult {
  return { ok: true, profile, claims, acr: HIGH, amr: ['hwk', 'sc'] };
}

function software(profile: string, claims: IdentityClaims): IdentityResult {
  return { ok: true, profile, claims, acr: SUBSTANTIAL, amr: ['swk'] };
}

function id(type: string, country: string, value: string, raw = value) {
  return { type, country, value, raw };
}

type Expected = IdentityResult | 'CERT_SIGNATURE_ONLY' | 'CERT_WRONG_USAGE';

interface Case {
  /** Issuer certificate file, or undefined when the issuer is not among the fixtures. */
  issuer: string | undefined;
  expected: Expected;
}

const nora = card('be-eid', {
  given_name: 'Nora Angèle',
  family_name: 'Specimen',
  name: 'Nora Angèle Specimen',
  national_id: id('PNO', 'BE', '01050399864'),
  birthdate: '2001-05-03',
});
const joeorg = card('ee-esteid', {
  given_name: 'JAAK-KRISTJAN',
  family_name: 'JÕEORG',
  name: 'JAAK-KRISTJAN JÕEORG',
  national_id: id('PNO', 'EE', '38001085718', 'PNOEE-38001085718'),
  birthdate: '1980-01-08',
});
const ficticio = (dni: string) =>
  card('es-dnie', {
    given_name: 'Ciudadano',
    family_name: 'Ficticio',
    name: 'Ciudadano Ficticio',
    national_id: id('IDC', 'ES', dni),
  });
const fnmt = (dni: string) =>
  software('es-fnmt', {
    given_name: 'PRUEBAS',
    family_name: 'EIDAS CERTIFICADO',
    name: 'PRUEBAS EIDAS CERTIFICADO',
    national_id: id('IDC', 'ES', dni, `IDCES-${dni}`),
  });
const finnish = (given: string, family: string, satu: string) =>
  card('fi-fineid', {
    given_name: given,
    family_name: family,
    name: `${given} ${family}`,
    national_id: id('SATU', 'FI', satu),
  });

const DNIE_001 = 'CA-ES-AC-DNIE-001-intermediate.pem';
const DNIE_004 = 'CA-ES-AC-DNIE-004-intermediate.pem';
const FNMT = 'CA-ES-AC-FNMT-Usuarios-intermediate.pem';
const EE_2018 = 'CA-EE-TEST-of-ESTEID2018-intermediate.pem';
const DVV_G5E = 'CA-FI-DVV-TEST-Certificates-G5E.pem';

const CASES: Record<string, Case> = {
  'TEST-BE-eID-NoraSpecimen-auth-EC-P384.pem': {
    issuer: 'CA-BE-eID-TEST-EC-Citizen-CA.pem',
    expected: nora,
  },
  'TEST-BE-eID-NoraSpecimen-auth-RSA2048.pem': {
    issuer: 'CA-BE-eID-TEST-EC-Citizen-CA.pem',
    expected: nora,
  },
  'TEST-EE-ESTEID-SK2015-MANNIK-sign-digital-signature.pem': {
    issuer: 'CA-EE-TEST-of-ESTEID-SK2015-intermediate.pem',
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-EE-ESTEID2018-JOEORG-SIGN-nonrepudiation-EC-P384.pem': {
    issuer: EE_2018,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem': { issuer: EE_2018, expected: joeorg },
  // Its policy was edited to Mobile-ID's: not a card key. (Its signature, broken by the
  // edit, is refused earlier by the pki layer.)
  'TEST-EE-ESTEID2018-JOEORG-auth-TAMPERED-wrongpolicy-badsig.pem': {
    issuer: EE_2018,
    expected: 'CERT_WRONG_USAGE',
  },
  'TEST-ES-Camerfirma-Representante-SOLO-PRUEBAS-00000000T.pem': {
    issuer: undefined,
    expected: software('etsi-natural-person', {
      given_name: 'JUAN ANTONIO',
      family_name: 'CÁMARA ESPAÑOL',
      name: 'JUAN ANTONIO CÁMARA ESPAÑOL',
      national_id: id('IDC', 'ES', '00000000T', 'IDCES-00000000T'),
    }),
  },
  'TEST-ES-DNIe-AC001-CiudadanoFicticio-99999018D-AUTH-2018-accentCN.pem': {
    issuer: DNIE_001,
    expected: ficticio('99999018D'),
  },
  'TEST-ES-DNIe-AC001-ESPECIMEN-99999002Q-FIRMA-specimencard.pem': {
    issuer: DNIE_001,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem': {
    issuer: DNIE_004,
    expected: ficticio('00000000T'),
  },
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-caducado-expired.pem': {
    issuer: DNIE_004,
    expected: ficticio('00000000T'),
  },
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-revocado.pem': {
    issuer: DNIE_004,
    expected: ficticio('00000000T'),
  },
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-FIRMA-activo.pem': {
    issuer: DNIE_004,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-99999018D-AUTH-2018-slashCN.pem': {
    issuer: DNIE_004,
    expected: ficticio('99999018D'),
  },
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999972C-activo.pem': {
    issuer: FNMT,
    expected: fnmt('99999972C'),
  },
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999999R-activo.pem': {
    issuer: FNMT,
    expected: fnmt('99999999R'),
  },
  'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999999R-revocado.pem': {
    issuer: FNMT,
    expected: fnmt('99999999R'),
  },
  'TEST-ES-Firmaprofesional-PF-PNOES-X9999999J-NIE.pem': {
    issuer: undefined,
    expected: software('etsi-natural-person', {
      given_name: 'Nombre',
      family_name: 'Apellido1 Apellido2',
      name: 'Nombre Apellido1 Apellido2',
      national_id: id('PNO', 'ES', 'X9999999J', 'PNOES-X9999999J'),
    }),
  },
  'TEST-ES-Izenpe-Ciudadano-FICTICIO-99999990S.pem': {
    issuer: undefined,
    expected: software('etsi-natural-person', {
      given_name: 'CIUDADANO',
      family_name: 'FICTICIO',
      name: 'CIUDADANO FICTICIO',
      national_id: id('IDC', 'ES', '99999990S'),
    }),
  },
  'TEST-FI-DVV-G5E-SPECIMEN-AUVINEN-SIGN-FinEIDv4.pem': {
    issuer: DVV_G5E,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-FI-DVV-G5E-SPECIMEN-AUVINEN-auth-EC-FinEIDv4.pem': {
    issuer: DVV_G5E,
    expected: finnish('PHILIP', 'SPECIMEN-AUVINEN', '99902038C'),
  },
  'TEST-FI-DVV-G5E-SPECIMEN-BACKMAN-auth-EC.pem': {
    issuer: DVV_G5E,
    expected: finnish('JUHANI', 'SPECIMEN-BACKMAN', '999020016'),
  },
  'TEST-FI-VRK-G3-SPECIMEN-NISYJU-SIGN-FinEIDv3.pem': {
    issuer: undefined,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-FI-VRK-G3-SPECIMEN-NISYJU-auth-RSA-FinEIDv3.pem': {
    issuer: undefined,
    expected: finnish('LIISA', 'SPECIMEN-NISYJU', '99900335E'),
  },
  'TEST-FI-VRK-G4-SPECIMEN-BABAFO-auth-RSA.pem': {
    issuer: 'CA-FI-VRK-TEST-CA-G4.pem',
    expected: finnish('VELI', 'SPECIMEN-BABAFÖ', '99901112H'),
  },
  'TEST-LV-DEMO-eID-ICA2017-KULIS-SIGN.pem': {
    issuer: undefined,
    expected: 'CERT_SIGNATURE_ONLY',
  },
  'TEST-LV-DEMO-eID-ICA2017-KULIS-auth.pem': {
    issuer: undefined,
    expected: card('lv-eid', {
      given_name: 'SERGEJS',
      family_name: 'KULIŠS',
      name: 'SERGEJS KULIŠS',
      national_id: id('PNO', 'LV', '210860-10528', 'PNOLV-210860-10528'),
      birthdate: '1960-08-21',
    }),
  },
  'TEST-LV-DEMO-eID-ICA2017-PARAUDZINS-auth-RSA.pem': {
    issuer: undefined,
    expected: card('lv-eid', {
      given_name: 'ANDRIS',
      family_name: 'PARAUDZIŅŠ',
      name: 'ANDRIS PARAUDZIŅŠ',
      national_id: id('PNO', 'LV', '321922-33032', 'PNOLV-321922-33032'),
    }),
  },
};

/** Stand-in issuer facts when the issuing CA is not among the fixtures: its name only. */
function issuerStandIn(leaf: CertificateFacts): CertificateFacts {
  return { ...leaf, subject: leaf.issuer, policies: [], keyUsage: undefined };
}

const PERSONAL = [
  '00000000T', '99999018D', '99999002Q', '99999972C', '99999999R', 'X9999999J', '99999990S',
  '38001085718', '61710030163', '01050399864', '210860', '321922', 'Ficticio', 'JÕEORG',
  'MÄNNIK', 'KULIŠS', 'Specimen', 'SPECIMEN',
];

describe('public eID test certificates', () => {
  const files = readdirSync(path.dirname(fixturePath('INDEX.md')))
    .filter((file) => file.startsWith('TEST-') && file.endsWith('.pem'));

  it('has an expected result for every TEST-* certificate in the fixtures', () => {
    assert.deepEqual([...files].sort(), Object.keys(CASES).sort());
  });

  for (const [file, expectation] of Object.entries(CASES)) {
    describe(file, () => {
      let leaf: CertificateFacts;
      let issuer: CertificateFacts;

      before(() => {
        leaf = fixtureFacts(file);
        issuer = expectation.issuer ? fixtureFacts(expectation.issuer) : issuerStandIn(leaf);
      });

      const { expected } = expectation;
      if (typeof expected === 'string') {
        it(`is refused with ${expected} and a detail free of personal data`, () => {
          const result = mapIdentity(leaf, { issuer });
          assert.equal(result.ok, false);
          assert.ok(!result.ok && result.code === expected, JSON.stringify(result));
          for (const secret of PERSONAL) {
            assert.ok(!result.ok && !result.detail.includes(secret), 'no personal data');
          }
        });
        return;
      }

      it('releases exactly the expected claims, acr and amr', () => {
        assert.deepEqual(mapIdentity(leaf, { issuer }), expected);
      });

      it('gives the same result when its anchor names the profile', () => {
        assert.ok(expected.ok);
        assert.deepEqual(mapIdentity(leaf, { issuer, anchorProfile: expected.profile }), expected);
      });
    });
  }
});
