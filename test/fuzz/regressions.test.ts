import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EidError } from '../../src/errors.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { decideCertificate } from '../../src/pki/decision.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { EID_FIXTURES_DIR } from '../support/paths.js';
import { makeDniePki } from '../support/pki.js';

/**
 * Inputs the fuzzers found that made a parser throw something other than a refusal, kept as
 * fixed cases. Each starts from a real certificate and changes the bytes the fuzzer changed.
 */
const isMalformed = (error: unknown) => error instanceof EidError && error.code === 'CERT_MALFORMED';

function fixtureDer(file: string): Buffer {
  const pem = readFileSync(path.join(EID_FIXTURES_DIR, file), 'utf8');
  return Buffer.from(ParsedCertificate.fromPemOrDer(pem)[0]!.der);
}

/** Replaces the first occurrence of `find` in `der` with `replace` (same length). */
function patched(der: Buffer, find: number[], replace: number[]): Uint8Array {
  const at = der.indexOf(Buffer.from(find));
  assert.ok(at >= 0, 'the bytes to change are in the certificate');
  const copy = Buffer.from(der);
  Buffer.from(replace).copy(copy, at);
  return new Uint8Array(copy);
}

describe('fuzz regressions: each once crashed a parser, now each is CERT_MALFORMED', () => {
  const root = fixtureDer('CA-BE-eID-TEST-EC-Root-CA.pem');

  it('a GeneralizedTime Node accepts but asn1js cannot read (was a plain Error from asn1js)', () => {
    // notAfter "20880409220010Z" with its first digit made a space.
    const broken = patched(root, [0x18, 0x0f, 0x32, 0x30, 0x38, 0x38], [0x18, 0x0f, 0x20, 0x30, 0x38, 0x38]);
    assert.throws(() => ParsedCertificate.fromDer(broken), isMalformed);
  });

  it('a public key Node parses the certificate with but cannot decode (was ERR_OSSL_EVP_DECODE_ERROR)', () => {
    // id-ecPublicKey 1.2.840.10045.2.1 with its first byte zeroed.
    const broken = patched(root, [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], [0x06, 0x07, 0x00]);
    const certificate = ParsedCertificate.fromDer(broken);
    assert.throws(() => certificate.publicKey, isMalformed);
    assert.throws(() => certificate.facts(), isMalformed);
  });

  it('a keyUsage that is not a BIT STRING (was a TypeError from @peculiar/asn1-schema)', () => {
    // keyUsage extnValue 03 02 01 06 (BIT STRING) made 04 02 01 06 (OCTET STRING).
    const broken = patched(root, [0x04, 0x04, 0x03, 0x02, 0x01, 0x06], [0x04, 0x04, 0x04, 0x02, 0x01, 0x06]);
    const certificate = ParsedCertificate.fromDer(broken);
    assert.throws(() => certificate.keyUsage, isMalformed);
  });

  it('a PEM block whose body is not base64 (was a TypeError from pvtsutils)', () => {
    assert.throws(
      () => ParsedCertificate.fromPemOrDer('-----BEGIN CERTIFICATE-----\n/MIID*\n-----END CERTIFICATE-----\n'),
      isMalformed,
    );
  });

  it('decideCertificate answers a refusal, not an exception, for a leaf with a malformed extension', async () => {
    const pki = await makeDniePki();
    const parsed = (der: Uint8Array) => ParsedCertificate.fromDer(der);
    const der = (issued: { certificate: { rawData: ArrayBuffer } }) => new Uint8Array(issued.certificate.rawData);
    const trustStore = TrustStore.fromCertificates({
      anchors: [{ certificate: parsed(der(pki.root)), profile: 'es-dnie', environment: 'test' }],
      intermediates: [parsed(der(pki.issuing))],
    });
    // certificatePolicies whose content is SEQUENCE { SEQUENCE {} }: a trusted leaf Node accepts.
    const x509 = await import('@peculiar/x509');
    const leaf = await pki.citizen({
      policies: undefined,
      extensions: [new x509.Extension('2.5.29.32', false, new Uint8Array([0x30, 0x02, 0x30, 0x00]))],
    });
    const decision = await decideCertificate([der(leaf)], { trustStore });
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_MALFORMED');
  });
});
