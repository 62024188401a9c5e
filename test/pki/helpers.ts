import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { issue, type Issued, type IssueOptions, type KeyKind } from '../../src/cli/dev-pki.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore, type TrustAnchor } from '../../src/pki/trust-store.js';

/** Generated PKIs for the trust-engine tests, made with dev-pki's `issue`. */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file in the shared public eID fixtures. */
export function eidFixture(file: string): string {
  return path.resolve(repoRoot, '..', 'shared', 'fixtures', 'eid-certs', file);
}

/** All certificates of one shared eID fixture file, parsed. */
export function loadFixture(file: string): ParsedCertificate[] {
  return ParsedCertificate.fromPemOrDer(readFileSync(eidFixture(file)));
}

/** Kept as a name of its own for the tests; dev-pki makes every kind, RSA-PSS included. */
export type TestKeyKind = KeyKind;

export const YEAR_MS = 365 * 24 * 3600 * 1000;
/** The frozen "now" of path tests; certificates default to a validity around it. */
export const NOW = new Date('2026-06-01T12:00:00Z');
export const DEFAULT_NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
export const DEFAULT_NOT_AFTER = new Date('2030-01-01T00:00:00Z');

export interface CertOptions extends Omit<IssueOptions, 'keyKind' | 'subject'> {
  /** Common name; the subject is `C=ES, O=eid-idp tests, CN=<cn>`. */
  cn: string;
  keyKind?: TestKeyKind;
}

/** Issues one certificate, with test-friendly validity defaults. */
export async function cert(options: CertOptions): Promise<Issued> {
  const { cn, keyKind = 'ec-p256', ...rest } = options;
  const subject: x509.JsonName = [{ C: ['ES'] }, { O: ['eid-idp tests'] }, { CN: [cn] }];
  const withDates = {
    notBefore: DEFAULT_NOT_BEFORE,
    notAfter: DEFAULT_NOT_AFTER,
    ...rest,
    subject,
  };
  return issue({ ...withDates, keyKind });
}

/** The DER of an issued certificate. */
export function der(issued: Issued): Uint8Array {
  return new Uint8Array(issued.certificate.rawData);
}

/** The same certificate with one bit of its signature flipped. */
export function withBadSignature(issued: Issued): Uint8Array {
  const bytes = der(issued);
  const copy = new Uint8Array(bytes);
  copy[copy.length - 3] = (copy[copy.length - 3] ?? 0) ^ 0x01;
  return copy;
}

export function parsed(issued: Issued): ParsedCertificate {
  return ParsedCertificate.fromDer(der(issued));
}

/** A store with these anchors (environment test) and intermediates. */
export function storeOf(anchors: Issued[], intermediates: Issued[] = []): TrustStore {
  return TrustStore.fromCertificates({
    anchors: anchors.map(
      (anchor): Omit<TrustAnchor, 'source'> => ({
        certificate: parsed(anchor),
        environment: 'test',
      }),
    ),
    intermediates: intermediates.map(parsed),
  });
}

/** Root → intermediate → leaf with one key kind throughout. */
export async function threeLevels(keyKind: TestKeyKind = 'ec-p256') {
  const root = await cert({ cn: `Root ${keyKind}`, keyKind, ca: {} });
  const intermediate = await cert({ cn: `Issuing ${keyKind}`, keyKind, ca: {}, issuer: root });
  const leaf = await cert({ cn: `Citizen ${keyKind}`, keyKind, issuer: intermediate });
  return { root, intermediate, leaf };
}
