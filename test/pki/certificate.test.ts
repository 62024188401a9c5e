import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { EidError } from '../../src/errors.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { cert, der, loadFixture, parsed } from './helpers.js';

function nameDer(values: [string, ax.AttributeValue][]): ArrayBuffer {
  const name = new ax.Name(
    values.map(
      ([type, value]) =>
        new ax.RelativeDistinguishedName([new ax.AttributeTypeAndValue({ type, value })]),
    ),
  );
  return AsnConvert.serialize(name);
}

describe('ParsedCertificate', () => {
  it('refuses bytes that are not a certificate as CERT_MALFORMED', () => {
    assert.throws(
      () => ParsedCertificate.fromDer(new Uint8Array([0x30, 0x02, 0x05, 0x00])),
      (error: unknown) => error instanceof EidError && error.code === 'CERT_MALFORMED',
    );
  });

  it('pins the key by the SHA-256 of the SubjectPublicKeyInfo DER', async () => {
    const issued = await cert({ cn: 'Pinned', ca: {} });
    const certificate = parsed(issued);
    const spki = certificate.native.publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(certificate.spkiSha256, createHash('sha256').update(spki).digest('hex'));
    assert.equal(certificate.sha256, createHash('sha256').update(der(issued)).digest('hex'));
  });

  it('reads basic constraints, path length and key usage', async () => {
    const ca = parsed(await cert({ cn: 'CA', ca: { pathLength: 2 } }));
    assert.equal(ca.isCa, true);
    assert.equal(ca.pathLength, 2);
    assert.deepEqual(ca.keyUsage, ['keyCertSign', 'cRLSign']);
    const leaf = parsed(
      await cert({
        cn: 'Leaf',
        keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
      }),
    );
    assert.equal(leaf.isCa, false);
    assert.equal(leaf.pathLength, undefined);
    assert.deepEqual(leaf.keyUsage, ['digitalSignature', 'keyAgreement']);
  });

  it('keeps the exact name bytes for issuer and subject', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const leaf = await cert({ cn: 'Leaf', issuer: root });
    assert.deepEqual(
      new Uint8Array(parsed(leaf).issuerDer),
      new Uint8Array(root.certificate.subjectName.toArrayBuffer()),
    );
    assert.equal(parsed(leaf).issuerKey, parsed(root).subjectKey);
  });

  it('decodes every DirectoryString type from the ASN.1, in RDN order', async () => {
    const subject = nameDer([
      ['2.5.4.6', new ax.AttributeValue({ printableString: 'FI' })],
      ['2.5.4.10', new ax.AttributeValue({ teletexString: 'Väestörekisterikeskus' })],
      ['2.5.4.11', new ax.AttributeValue({ bmpString: 'Åland Ñ' })],
      ['2.5.4.4', new ax.AttributeValue({ universalString: 'PARAUDZIŅŠ' })],
      ['2.5.4.3', new ax.AttributeValue({ utf8String: 'JÕEORG, JAAK-KRISTJAN, 38001085718' })],
    ]);
    const keys = (await cert({ cn: 'k' })).keys;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      name: new x509.Name(subject),
      keys,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const facts = ParsedCertificate.fromDer(new Uint8Array(certificate.rawData)).facts();
    assert.deepEqual(
      facts.subject.map((attribute) => [attribute.name, attribute.value]),
      [
        ['C', 'FI'],
        ['O', 'Väestörekisterikeskus'],
        ['OU', 'Åland Ñ'],
        ['SN', 'PARAUDZIŅŠ'],
        ['CN', 'JÕEORG, JAAK-KRISTJAN, 38001085718'],
      ],
    );
  });

  it('reads the facts of the DNIe authentication certificate', () => {
    const [leaf] = loadFixture('TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem');
    assert.ok(leaf);
    const facts = leaf.facts();
    assert.deepEqual(
      facts.subject.map((attribute) => attribute.name),
      ['C', 'serialNumber', 'SN', 'GN', 'CN'],
    );
    assert.equal(facts.subject[4]?.value, 'Ficticio Activo, Ciudadano (AUTENTICACION)');
    assert.deepEqual(facts.keyUsage, ['digitalSignature']);
    assert.ok(facts.policies.includes('2.16.724.1.2.2.2.4'));
    assert.equal(facts.publicKeyAlgorithm, 'RSA');
    assert.equal(facts.issuer.find((attribute) => attribute.name === 'CN')?.value, 'AC DNIE 004');
    assert.equal(leaf.facts(), facts, 'facts are computed once');
  });

  it('reads an accented CN in NFC and the P-384 curve of an Estonian card', () => {
    const [dnie] = loadFixture(
      'TEST-ES-DNIe-AC001-CiudadanoFicticio-99999018D-AUTH-2018-accentCN.pem',
    );
    const cn = dnie?.facts().subject.find((attribute) => attribute.name === 'CN');
    assert.equal(cn?.value, 'Ficticio Activo, Ciudadano (AUTENTICACIÓN)'.normalize('NFC'));
    const [estonian] = loadFixture('TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem');
    assert.equal(estonian?.facts().publicKeyAlgorithm, 'EC');
    assert.equal(estonian?.facts().namedCurve, 'P-384');
  });

  it('parses every certificate of a PEM bundle in order', async () => {
    const a = await cert({ cn: 'A', ca: {} });
    const b = await cert({ cn: 'B', ca: {} });
    const bundle = `${a.certificate.toString('pem')}\n${b.certificate.toString('pem')}\n`;
    const certificates = ParsedCertificate.fromPemOrDer(bundle);
    assert.deepEqual(
      certificates.map((c) => c.sha256),
      [parsed(a).sha256, parsed(b).sha256],
    );
  });

  it("decodes a CA's extension value once for all its certificates, never the subject's own", async () => {
    const ca = await cert({ cn: 'Sharing CA', ca: {} });
    const issue = (cn: string, policies: string[]) =>
      cert({ cn, issuer: ca, policies, dnsNames: ['same.example'] });
    const first = parsed(await issue('First', ['1.2.3.4']));
    const second = parsed(await issue('Second', ['1.2.3.4']));
    const other = parsed(await issue('Other', ['1.2.3.5']));
    const aki = (c: ParsedCertificate) => c.decodeExtension('2.5.29.35', ax.AuthorityKeyIdentifier);
    const policies = (c: ParsedCertificate) =>
      c.decodeExtension('2.5.29.32', ax.CertificatePolicies);
    const altNames = (c: ParsedCertificate) =>
      c.decodeExtension('2.5.29.17', ax.SubjectAlternativeName);
    // Same bytes, one decoded value: the second citizen of a CA costs no decoding.
    assert.equal(aki(first), aki(second));
    assert.equal(policies(first), policies(second));
    // Different bytes, each its own value.
    assert.notEqual(policies(first), policies(other));
    assert.deepEqual([...other.facts().policies], ['1.2.3.5']);
    assert.deepEqual([...first.facts().policies], ['1.2.3.4']);
    // subjectAltName holds personal data: never in the process-wide cache, even when equal.
    assert.notEqual(altNames(first), altNames(second));
    assert.deepEqual(altNames(first), altNames(second));
  });

  it('refuses a malformed shared extension on every certificate that carries it', async () => {
    // An extendedKeyUsage whose value is an INTEGER, not a SEQUENCE OF OID.
    const broken = new x509.Extension('2.5.29.37', false, new Uint8Array([0x02, 0x01, 0x05]));
    for (const cn of ['Broken one', 'Broken two']) {
      const certificate = parsed(await cert({ cn, extensions: [broken] }));
      assert.throws(
        () => certificate.facts(),
        (error: unknown) => error instanceof EidError && error.code === 'CERT_MALFORMED',
      );
    }
  });
});
