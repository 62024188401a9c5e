import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { builtInProfiles, mapIdentity } from '../../src/identity/index.js';
import type { CertificateFacts } from '../../src/identity/types.js';
import { makeCa, makeLeaf, OID, x509, type TestCa } from './pki.js';

/**
 * Card layouts that no public fixture shows (Portuguese cards, Belgian foreigner cards,
 * the ESTEID2025 chain, the ESTEID-SK 2015 authentication layout) and the generic ETSI
 * profile, on generated certificates shaped like each specification.
 */

const KU = x509.KeyUsageFlags;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const NCP_PLUS = '0.4.0.2042.1.2';
const QCP_N = '0.4.0.194112.1.0';
const QCP_N_QSCD = '0.4.0.194112.1.2';
const ORG_ID = '2.5.4.97';

function subject(serial: string, given: string, family: string, cn: string): [string, string][] {
  return [
    [OID.C, 'XX'],
    [OID.CN, cn],
    [OID.SN, family],
    [OID.GN, given],
    [OID.serialNumber, serial],
  ];
}

function withCountry(spec: [string, string][], country: string): [string, string][] {
  return spec.map(([k, v]) => [k, k === OID.C ? country : v]);
}

describe('PT Cartão de Cidadão profile', () => {
  let authCa: TestCa;
  let signCa: TestCa;
  const person = withCountry(
    subject('BI123456789', 'Maria João', 'Conceição Gonçalves', 'Maria João Conceição Gonçalves'),
    'PT',
  );

  before(async () => {
    const base: [string, string][] = [
      [OID.C, 'PT'],
      [OID.O, 'Instituto dos Registos e do Notariado I.P.'],
    ];
    authCa = await makeCa([...base, [OID.CN, 'EC de Autenticação do Cartão de Cidadão 0020']]);
    signCa = await makeCa([
      ...base,
      [OID.CN, 'EC de Assinatura Digital Qualificada do Cartão de Cidadão 0020'],
    ]);
  });

  it('maps the authentication certificate to accented names and the civil id', async () => {
    const leaf = await makeLeaf(authCa, { subject: person, keyUsage: KU.digitalSignature });
    assert.deepEqual(mapIdentity(leaf, { issuer: authCa.facts }), {
      ok: true,
      profile: 'pt-cc',
      claims: {
        given_name: 'Maria João',
        family_name: 'Conceição Gonçalves',
        name: 'Maria João Conceição Gonçalves',
        national_id: { type: 'IDC', country: 'PT', value: '123456789', raw: 'BI123456789' },
      },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
  });

  it('refuses the certificate of the signature sub-CA with CERT_SIGNATURE_ONLY', async () => {
    const leaf = await makeLeaf(signCa, { subject: person, keyUsage: KU.nonRepudiation });
    const result = mapIdentity(leaf, { issuer: signCa.facts });
    assert.ok(!result.ok && result.code === 'CERT_SIGNATURE_ONLY');
  });

  it('takes the full name from CN when GN and SN are absent', async () => {
    const leaf = await makeLeaf(authCa, {
      subject: person.filter(([k]) => k !== OID.GN && k !== OID.SN),
      keyUsage: KU.digitalSignature,
    });
    const result = mapIdentity(leaf, { issuer: authCa.facts });
    assert.ok(result.ok);
    assert.equal(result.claims.name, 'Maria João Conceição Gonçalves');
    assert.equal(result.claims.given_name, undefined);
  });
});

describe('BE eID foreigner card profile', () => {
  it('maps a foreigner card under the Foreigner CA with its birth date', async () => {
    const ca = await makeCa([[OID.C, 'BE'], [OID.CN, 'Foreigner CA']]);
    const leaf = await makeLeaf(ca, {
      subject: withCountry(subject('85073100328', 'Zoë', 'Dupré', 'Zoë Dupré (Auth)'), 'BE'),
      keyUsage: KU.digitalSignature,
      extendedKeyUsage: [CLIENT_AUTH],
      policies: ['2.16.56.12.1.1.7.2'],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.profile, 'be-eid-foreigner');
    assert.equal(result.claims.name, 'Zoë Dupré');
    assert.equal(result.claims.birthdate, '1985-07-31');
  });

  it('refuses the foreigner signature certificate with CERT_SIGNATURE_ONLY', async () => {
    const ca = await makeCa([[OID.C, 'BE'], [OID.CN, 'Foreigner CA']]);
    const leaf = await makeLeaf(ca, {
      subject: withCountry(subject('85073100328', 'Zoë', 'Dupré', 'Zoë Dupré (Signature)'), 'BE'),
      keyUsage: KU.nonRepudiation,
      policies: ['2.16.56.12.1.1.7.1'],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'CERT_SIGNATURE_ONLY');
  });
});

describe('EE ID card profile across chains and layouts', () => {
  it('maps an ESTEID2025-chain authentication certificate', async () => {
    const ca = await makeCa([
      [OID.C, 'EE'],
      [OID.O, 'Zetes Estonia OÜ'],
      [ORG_ID, 'NTREE-17066049'],
      [OID.CN, 'Test ESTEID2025'],
    ]);
    const leaf = await makeLeaf(ca, {
      subject: withCountry(
        subject('PNOEE-60001017716', 'MARI-LIIS', 'MÄNNIK', 'MÄNNIK,MARI-LIIS,60001017716'),
        'EE',
      ),
      keyUsage: KU.digitalSignature | KU.keyAgreement,
      extendedKeyUsage: [CLIENT_AUTH],
      policies: ['1.3.6.1.4.1.51361.1.2.1', NCP_PLUS],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.deepEqual(result, {
      ok: true,
      profile: 'ee-esteid',
      claims: {
        given_name: 'MARI-LIIS',
        family_name: 'MÄNNIK',
        name: 'MARI-LIIS MÄNNIK',
        national_id: { type: 'PNO', country: 'EE', value: '60001017716', raw: 'PNOEE-60001017716' },
        birthdate: '2000-01-01',
      },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
  });

  it('reads the 2015 layout: bare code, names from the CN when GN and SN are missing', async () => {
    const ca = await makeCa([[OID.C, 'EE'], [OID.CN, 'TEST of ESTEID-SK 2015']]);
    const leaf = await makeLeaf(ca, {
      subject: [
        [OID.C, 'EE'],
        [OID.O, 'ESTEID'],
        [OID.OU, 'authentication'],
        [OID.CN, 'MÄNNIK,MARI-LIIS,61710030163'],
        [OID.serialNumber, '61710030163'],
      ],
      keyUsage: KU.digitalSignature | KU.keyEncipherment | KU.dataEncipherment,
      policies: ['1.3.6.1.4.1.10015.3.1', NCP_PLUS],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.claims, {
      given_name: 'MARI-LIIS',
      family_name: 'MÄNNIK',
      name: 'MARI-LIIS MÄNNIK',
      national_id: { type: 'PNO', country: 'EE', value: '61710030163', raw: '61710030163' },
      birthdate: '2017-10-03',
    });
  });

  it('normalises a decomposed Õ to NFC without changing case', async () => {
    const ca = await makeCa([[OID.C, 'EE'], [OID.CN, 'TEST of ESTEID2018']]);
    const leaf = await makeLeaf(ca, {
      subject: withCountry(
        subject('PNOEE-38001085718', 'Jaak', 'Jo\u0303eorg', 'x'),
        'EE',
      ),
      keyUsage: KU.digitalSignature,
      policies: [NCP_PLUS],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(result.ok);
    assert.equal(result.claims.family_name, 'J\u00f5eorg');
  });
});

describe('generic ETSI EN 319 412-1 profile', () => {
  let ca: TestCa;
  before(async () => {
    ca = await makeCa([[OID.C, 'IT'], [OID.CN, 'Some Qualified CA']]);
  });

  function leafWith(serial: string, ku: number, eku?: string[]): Promise<CertificateFacts> {
    const spec = { subject: withCountry(subject(serial, 'Niccolò', 'Dell’Acqua', 'x'), 'IT'),
      keyUsage: ku, policies: [QCP_N] } as Parameters<typeof makeLeaf>[1];
    if (eku) spec.extendedKeyUsage = eku;
    return makeLeaf(ca, spec);
  }

  it('maps a TINIT qualified certificate to substantial and swk', async () => {
    const leaf = await leafWith('TINIT-DLLNCC80A01H501X', KU.digitalSignature, [CLIENT_AUTH]);
    assert.deepEqual(mapIdentity(leaf, { issuer: ca.facts }), {
      ok: true,
      profile: 'etsi-natural-person',
      claims: {
        given_name: 'Niccolò',
        family_name: 'Dell’Acqua',
        name: 'Niccolò Dell’Acqua',
        national_id: {
          type: 'TIN',
          country: 'IT',
          value: 'DLLNCC80A01H501X',
          raw: 'TINIT-DLLNCC80A01H501X',
        },
      },
      acr: 'http://eidas.europa.eu/LoA/substantial',
      amr: ['swk'],
    });
  });

  it('releases a birth date only where the identifier encodes it (PNOBE)', async () => {
    const leaf = await leafWith('PNOBE-85073100328', KU.digitalSignature);
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(result.ok);
    assert.equal(result.claims.birthdate, '1985-07-31');
  });

  it('refuses a nonRepudiation-only certificate with CERT_SIGNATURE_ONLY', async () => {
    const leaf = await leafWith('PASIT-YA1234567', KU.nonRepudiation);
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'CERT_SIGNATURE_ONLY');
  });

  it('refuses an extended key usage without clientAuth with CERT_WRONG_USAGE', async () => {
    const leaf = await leafWith('PASIT-YA1234567', KU.digitalSignature, ['1.3.6.1.5.5.7.3.4']);
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'CERT_WRONG_USAGE');
  });

  it('does not claim a certificate without a qualified policy', async () => {
    const leaf = await makeLeaf(ca, {
      subject: withCountry(subject('PASIT-YA1234567', 'A', 'B', 'x'), 'IT'),
      policies: [QCP_N_QSCD.replace('.2', '.9')],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'PROFILE_NOT_FOUND');
  });
});

describe('built-in profile list', () => {
  it('has unique ids and ends with the generic profile', () => {
    const ids = builtInProfiles.map((profile) => profile.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.at(-1), 'etsi-natural-person');
    assert.deepEqual(ids, [
      'es-dnie',
      'es-fnmt',
      'ee-esteid',
      'be-eid',
      'be-eid-foreigner',
      'pt-cc',
      'fi-fineid',
      'lv-eid',
      'etsi-natural-person',
    ]);
  });

  it('never accepts a leaf whose only policy is anyPolicy, whatever the profile', async () => {
    const ca = await makeCa([[OID.C, 'XX'], [OID.CN, 'Any CA']]);
    const leaf = await makeLeaf(ca, {
      subject: subject('PNOEE-38001085718', 'A', 'B', 'x'),
      keyUsage: KU.digitalSignature,
      extendedKeyUsage: [CLIENT_AUTH],
      policies: ['2.5.29.32.0'],
    });
    for (const profile of builtInProfiles) {
      if (['pt-cc', 'fi-fineid', 'etsi-natural-person'].includes(profile.id)) continue;
      const result = mapIdentity(leaf, { issuer: ca.facts, anchorProfile: profile.id });
      assert.equal(result.ok, false, profile.id);
      assert.ok(!result.ok && result.code === 'CERT_WRONG_USAGE', profile.id);
    }
  });
});
