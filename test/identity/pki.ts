import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateFacts } from '../../src/identity/types.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';

/**
 * A tiny generated PKI for identity tests: one CA and leaves with exactly the subject,
 * key usage, EKU and policies a case needs. EC P-256 keys keep it fast.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** Subject attributes in order, keyed by dotted OID or x509 short name (CN, SN, G, C, O, OU). */
export type SubjectSpec = [string, string][];

export interface LeafSpec {
  subject: SubjectSpec;
  keyUsage?: x509.KeyUsageFlags | 'absent';
  extendedKeyUsage?: string[];
  policies?: string[];
  emails?: string[];
}

export interface TestCa {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
  facts: CertificateFacts;
}

function toName(subject: SubjectSpec): x509.Name {
  return new x509.Name(subject.map(([type, value]) => ({ [type]: [value] })));
}

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

let serial = 1;
function nextSerial(): string {
  serial += 1;
  return serial.toString(16).padStart(4, '0');
}

/** A self-signed CA with the given subject. */
export async function makeCa(subject: SubjectSpec, policies?: string[]): Promise<TestCa> {
  const pair = await keys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
  if (policies) extensions.push(new x509.CertificatePolicyExtension(policies, false));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: toName(subject),
    issuer: toName(subject),
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2035-01-01T00:00:00Z'),
    publicKey: pair.publicKey,
    signingKey: pair.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { certificate, keys: pair, facts: factsOf(certificate) };
}

/** A leaf issued by `ca`, returned as facts. */
export async function makeLeaf(ca: TestCa, spec: LeafSpec): Promise<CertificateFacts> {
  const pair = await keys();
  const extensions: x509.Extension[] = [];
  if (spec.keyUsage !== 'absent') {
    const usage = spec.keyUsage ?? x509.KeyUsageFlags.digitalSignature;
    extensions.push(new x509.KeyUsagesExtension(usage, true));
  }
  if (spec.extendedKeyUsage) {
    extensions.push(new x509.ExtendedKeyUsageExtension(spec.extendedKeyUsage, false));
  }
  if (spec.policies) extensions.push(new x509.CertificatePolicyExtension(spec.policies, false));
  if (spec.emails) {
    const names = spec.emails.map((value) => ({ type: 'email' as const, value }));
    extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: toName(spec.subject),
    issuer: ca.certificate.subjectName,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
    publicKey: pair.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return factsOf(certificate);
}

/** Facts of a generated certificate, read by the pki layer's parser as in production. */
export function factsOf(certificate: x509.X509Certificate): CertificateFacts {
  return ParsedCertificate.fromDer(new Uint8Array(certificate.rawData)).facts();
}

export const OID = {
  C: '2.5.4.6',
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  GN: '2.5.4.42',
  serialNumber: '2.5.4.5',
  O: '2.5.4.10',
  OU: '2.5.4.11',
} as const;

export { x509 };
