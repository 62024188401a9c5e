import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { builtInProfiles, esDnie, mapIdentity } from '../../src/identity/index.js';
import type { CertificateFacts, IdentityResult } from '../../src/identity/types.js';
import { makeCa, makeLeaf, OID, x509, type TestCa } from './pki.js';

const AUTH_POLICY = '2.16.724.1.2.2.2.4';
const SIGN_POLICY = '2.16.724.1.2.2.2.3';

/** The lead's demo citizen: a DNIe-profile authentication certificate of a generated CA. */
const DEMO_SUBJECT: [string, string][] = [
  [OID.C, 'ES'],
  [OID.serialNumber, '00000000T'],
  [OID.SN, 'ESPAÑOL ESPAÑOL'],
  [OID.GN, 'JUAN'],
  [OID.CN, 'ESPAÑOL ESPAÑOL, JUAN (AUTENTICACIÓN)'],
];

function assertNoPersonalData(result: IdentityResult): void {
  assert.equal(result.ok, false);
  if (result.ok) return;
  for (const secret of ['00000000', 'ESPAÑOL', 'JUAN', 'Ficticio', 'Ciudadano']) {
    assert.ok(!result.detail.includes(secret), `detail must not contain personal data`);
  }
}

describe('ES DNIe profile', () => {
  let ca: TestCa;
  let demo: CertificateFacts;

  before(async () => {
    ca = await makeCa([
      [OID.C, 'ES'],
      [OID.O, 'eid-idp demo'],
      [OID.CN, 'eid-idp demo citizen CA'],
    ]);
    demo = await makeLeaf(ca, {
      subject: DEMO_SUBJECT,
      keyUsage: x509.KeyUsageFlags.digitalSignature,
      policies: [AUTH_POLICY],
    });
  });

  it('maps the demo citizen certificate under an es-dnie anchor to exact claims', () => {
    const result = mapIdentity(demo, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.deepEqual(result, {
      ok: true,
      profile: 'es-dnie',
      claims: {
        given_name: 'JUAN',
        family_name: 'ESPAÑOL ESPAÑOL',
        name: 'JUAN ESPAÑOL ESPAÑOL',
        national_id: { type: 'IDC', country: 'ES', value: '00000000T', raw: '00000000T' },
      },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
  });

  it('keeps Ñ as one precomposed character (NFC), never case-folded', () => {
    const result = mapIdentity(demo, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(result.ok);
    assert.equal(result.claims.family_name, 'ESPA\u00d1OL ESPA\u00d1OL');
  });

  it('finds the DNIe profile by the authentication policy when the anchor gives no hint', () => {
    const result = mapIdentity(demo, { issuer: ca.facts });
    assert.ok(result.ok);
    assert.equal(result.profile, 'es-dnie');
  });

  it('refuses the same card\'s signature certificate with CERT_SIGNATURE_ONLY', async () => {
    const signature = await makeLeaf(ca, {
      subject: DEMO_SUBJECT.map(([k, v]) => [k, v.replace('AUTENTICACIÓN', 'FIRMA')]),
      keyUsage: x509.KeyUsageFlags.nonRepudiation,
      policies: [SIGN_POLICY],
    });
    const result = mapIdentity(signature, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.code === 'CERT_SIGNATURE_ONLY');
    assertNoPersonalData(result);
  });

  it('refuses a leaf that only carries anyPolicy with CERT_WRONG_USAGE', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT,
      keyUsage: x509.KeyUsageFlags.digitalSignature,
      policies: ['2.5.29.32.0'],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'CERT_WRONG_USAGE');
    assertNoPersonalData(result);
  });

  it('refuses the authentication policy without digitalSignature', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT,
      keyUsage: x509.KeyUsageFlags.keyEncipherment,
      policies: [AUTH_POLICY],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'CERT_WRONG_USAGE');
    assert.ok(!result.ok && result.detail.includes('digitalSignature'));
  });

  it('refuses a DNI with a wrong check letter with IDENTIFIER_INVALID', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT.map(([k, v]) => [k, k === OID.serialNumber ? '00000000R' : v]),
      policies: [AUTH_POLICY],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'IDENTIFIER_INVALID');
    assertNoPersonalData(result);
  });

  it('refuses a leaf without serialNumber with IDENTIFIER_INVALID', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT.filter(([k]) => k !== OID.serialNumber),
      policies: [AUTH_POLICY],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'IDENTIFIER_INVALID');
  });

  it('refuses a foreign identifier on a DNIe', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT.map(([k, v]) => [k, k === OID.serialNumber ? 'PNOEE-38001085718' : v]),
      policies: [AUTH_POLICY],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'IDENTIFIER_INVALID');
    assertNoPersonalData(result);
  });

  it('accepts an ETSI-form IDCES identifier on a DNIe as the same identity', async () => {
    const leaf = await makeLeaf(ca, {
      subject: DEMO_SUBJECT.map(([k, v]) => [k, k === OID.serialNumber ? 'IDCES-00000000T' : v]),
      policies: [AUTH_POLICY],
    });
    const result = mapIdentity(leaf, { anchorProfile: 'es-dnie', issuer: ca.facts });
    assert.ok(result.ok);
    assert.deepEqual(result.claims.national_id, {
      type: 'IDC',
      country: 'ES',
      value: '00000000T',
      raw: 'IDCES-00000000T',
    });
  });

  it('refuses with PROFILE_NOT_FOUND when the anchor names an unknown profile', () => {
    const result = mapIdentity(demo, { anchorProfile: 'xx-none', issuer: ca.facts });
    assert.ok(!result.ok && result.code === 'PROFILE_NOT_FOUND');
  });

  it('refuses with PROFILE_NOT_FOUND when no profile matches and none is hinted', async () => {
    const leaf = await makeLeaf(ca, {
      subject: [[OID.C, 'ES'], [OID.CN, 'nobody']],
      policies: ['1.2.3.4'],
    });
    const result = mapIdentity(leaf, { issuer: ca.facts }, [esDnie]);
    assert.ok(!result.ok && result.code === 'PROFILE_NOT_FOUND');
  });

  it('is listed among the built-in profiles', () => {
    assert.ok(builtInProfiles.some((profile) => profile.id === 'es-dnie'));
  });
});
