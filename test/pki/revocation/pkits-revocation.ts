import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ParsedCertificate } from '../../../src/pki/certificate.js';
import { CrlIndex } from '../../../src/pki/revocation/crl-index.js';
import { parseCrl } from '../../../src/pki/revocation/crl-parse.js';
import { crlVerdict, type CrlVerdict } from '../../../src/pki/revocation/crl-verdict.js';
import { SerialTable, SerialTableBuilder } from '../../../src/pki/revocation/serial-table.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { validatePath } from '../../../src/pki/validate-path.js';
import { SHARED_DIR } from '../../support/paths.js';

/**
 * Runs a NIST PKITS case with CRL checking: path validation as usual, then every certificate
 * of the path checked against the case's fixture CRLs (plus the trust anchor's) by the same
 * CRL reader and verdict the server uses (src/pki/revocation/). PKITS also exercises CRLs
 * signed by a separate CRL-signing key of the same CA: such a signer is accepted when it
 * chains to the anchor, has cRLSign and is not itself revoked.
 */

export const PKITS_DIR = path.join(SHARED_DIR, 'fixtures', 'pkits');
export const PKITS_AT = new Date('2020-06-01T00:00:00Z');
const RULES = { clockSkewMs: 0, maxAgeWithoutNextUpdateMs: 0 };

export interface PkitsCrlCase {
  ee: string;
  intermediates: string[];
  crls: string[];
}

function certificate(file: string): ParsedCertificate {
  return ParsedCertificate.fromDer(readFileSync(path.join(PKITS_DIR, 'certs', file)));
}

const anchor = certificate('TrustAnchorRootCertificate.crt');
const anchorStore = TrustStore.fromCertificates({
  anchors: [{ certificate: anchor, environment: 'test', source: 'pkits' }],
});

export async function runPkitsWithCrls(
  testCase: PkitsCrlCase,
): Promise<{ actual: 'SUCCESS' | 'FAILURE'; why: string }> {
  const intermediates = testCase.intermediates.map(certificate);
  const presented = [certificate(testCase.ee), ...intermediates].map((c) => c.der);
  const result = await validatePath(presented, anchorStore, { at: PKITS_AT, decisionTtlMs: 0 });
  if (!result.ok) return { actual: 'FAILURE', why: `${result.code}: ${result.detail}` };

  const checker = new CaseChecker(intermediates, ['TrustAnchorRootCRL.crl', ...testCase.crls]);
  for (const [position, cert] of result.path.entries()) {
    const issuer = result.path[position + 1] ?? result.anchor.certificate;
    const verdict = await checker.verdict(cert, issuer, 0);
    if (verdict.status !== 'good') {
      return { actual: 'FAILURE', why: `certificate ${position}: ${verdict.status}: ${verdict.detail}` };
    }
  }
  return { actual: 'SUCCESS', why: 'accepted, no certificate revoked' };
}

class CaseChecker {
  constructor(
    private readonly intermediates: ParsedCertificate[],
    private readonly crlFiles: string[],
  ) {}

  async verdict(cert: ParsedCertificate, issuer: ParsedCertificate, depth: number): Promise<CrlVerdict> {
    const signers = [
      issuer,
      ...this.intermediates.filter((c) => c.subjectKey === issuer.subjectKey && c.sha256 !== issuer.sha256),
    ];
    const usable: CrlIndex[] = [];
    for (const file of this.crlFiles) {
      const index = this.read(file, signers);
      if (!index) continue;
      const signer = signers[index.header.signerIndex]!;
      if (await this.mayIssueCrls(signer, issuer, depth)) usable.push(index);
    }
    return crlVerdict(cert, issuer, usable, PKITS_AT, RULES);
  }

  /** The CA itself, or another certificate of the same CA name valid to the anchor, not revoked. */
  private async mayIssueCrls(signer: ParsedCertificate, issuer: ParsedCertificate, depth: number) {
    const usage = signer.keyUsage;
    if (usage !== undefined && !usage.includes('cRLSign')) return false;
    if (signer === issuer) return true;
    if (depth > 1) return false;
    const others = this.intermediates.filter((c) => c !== signer).map((c) => c.der);
    const path = await validatePath([signer.der, ...others], anchorStore, { at: PKITS_AT, decisionTtlMs: 0 });
    if (!path.ok) return false;
    for (const [position, cert] of path.path.entries()) {
      const above = path.path[position + 1] ?? path.anchor.certificate;
      if ((await this.verdict(cert, above, depth + 1)).status !== 'good') return false;
    }
    return true;
  }

  private read(file: string, signers: ParsedCertificate[]): CrlIndex | undefined {
    const der = readFileSync(path.join(PKITS_DIR, 'crls', file));
    const revoked = new SerialTableBuilder();
    const header = parseCrl(der, {
      signerSpkis: signers.map((s) => s.spkiDer),
      onEntry: (serial, reason) => revoked.add(serial, reason),
    });
    if (header.signerIndex < 0 || header.issuerKey !== signers[0]!.subjectKey) return undefined;
    return new CrlIndex(header, new SerialTable(revoked.build()), file);
  }
}
