import type { ParsedCertificate } from '../certificate.js';
import type { CrlIndex } from './crl-index.js';
import { REASON_REMOVE_FROM_CRL } from './crl-parse.js';
import { ALL_REASONS, certificatePoints } from './distribution-points.js';

/**
 * What verified CRLs say about one certificate (RFC 5280 §6.3.3, without indirect CRLs):
 * only CRLs of the certificate's issuer, current at the validation time, without unknown
 * critical extensions and whose scope covers the certificate count; delta CRLs update the
 * complete CRL they are based on; the CRLs used must together cover every reason.
 * Signatures are checked before (the caller passes only CRLs its issuer's key verified).
 */

export type CrlVerdict =
  | { status: 'good' | 'revoked'; detail: string; index: CrlIndex }
  | { status: 'unavailable'; detail: string };

export interface CrlRules {
  clockSkewMs: number;
  /** How long a CRL without nextUpdate is trusted after thisUpdate. */
  maxAgeWithoutNextUpdateMs: number;
}

export function crlVerdict(
  certificate: ParsedCertificate,
  issuer: ParsedCertificate,
  crls: readonly CrlIndex[],
  at: Date,
  rules: CrlRules,
): CrlVerdict {
  const complete: Array<{ index: CrlIndex; reasons: number }> = [];
  const deltas: CrlIndex[] = [];
  const problems: string[] = [];
  for (const index of crls) {
    const problem = unusable(index, certificate, issuer, at, rules);
    if (problem !== undefined) {
      problems.push(`${index.source}: ${problem}`);
      continue;
    }
    if (index.header.deltaBase !== undefined) deltas.push(index);
    else complete.push({ index, reasons: coveredReasons(index, certificate) });
  }
  if (complete.length === 0) {
    return { status: 'unavailable', detail: problems.join('; ') || 'no complete CRL for this certificate' };
  }

  const serial = certificate.serialNumber;
  let covered = 0;
  for (const { index, reasons } of complete) {
    const delta = newestDeltaFor(index, deltas);
    const deltaReason = delta?.reasonFor(serial);
    const revoked =
      deltaReason !== undefined ? deltaReason !== REASON_REMOVE_FROM_CRL : index.isRevoked(serial);
    if (revoked) {
      const by = deltaReason !== undefined && delta ? delta : index;
      return { status: 'revoked', detail: `listed by ${by.source}`, index: by };
    }
    covered |= reasons;
  }
  if ((covered & ALL_REASONS) !== ALL_REASONS) {
    return { status: 'unavailable', detail: 'the CRLs found cover only some revocation reasons' };
  }
  return { status: 'good', detail: 'not listed', index: complete[0]!.index };
}

function unusable(
  index: CrlIndex,
  certificate: ParsedCertificate,
  issuer: ParsedCertificate,
  at: Date,
  rules: CrlRules,
): string | undefined {
  const { header } = index;
  if (header.issuerKey !== issuer.subjectKey) return 'the CRL is from another issuer';
  if (header.unsupportedCritical) return `unsupported critical extension ${header.unsupportedCritical}`;
  if (!index.isFreshAt(at, rules.clockSkewMs, rules.maxAgeWithoutNextUpdateMs)) {
    return `not current at ${at.toISOString()} (nextUpdate ${header.nextUpdate?.toISOString() ?? 'absent'})`;
  }
  return scopeProblem(index, certificate);
}

/** RFC 5280 §6.3.3 (b): a CRL whose scope does not include this certificate cannot clear it. */
function scopeProblem(index: CrlIndex, certificate: ParsedCertificate): string | undefined {
  const point = index.header.issuingDistributionPoint;
  // LIMITATION: indirect CRLs (entries for other issuers) are not used.
  if (point?.indirectCRL || index.header.hasCertificateIssuerEntries) return 'indirect CRLs are not supported';
  if (!point) return undefined;
  if (point.onlyContainsAttributeCerts) return 'the CRL covers attribute certificates only';
  if (point.onlyContainsCACerts && !certificate.isCa) return 'the CRL covers CA certificates only';
  if (point.onlyContainsUserCerts && certificate.isCa) return 'the CRL covers end-entity certificates only';
  if (point.names.length > 0) {
    const wanted = certificatePoints(certificate).flatMap((p) => p.names);
    if (!wanted.some((name) => point.names.includes(name))) {
      return "the CRL's distribution point is not one of the certificate's";
    }
  }
  return undefined;
}

/** Reasons this CRL covers for this certificate: its onlySomeReasons and the point's reasons. */
function coveredReasons(index: CrlIndex, certificate: ParsedCertificate): number {
  const point = index.header.issuingDistributionPoint;
  const crlReasons = point?.onlySomeReasons ?? ALL_REASONS;
  const names = point?.names ?? [];
  const matching = certificatePoints(certificate).find(
    (p) => names.length === 0 || p.names.some((name) => names.includes(name)),
  );
  return crlReasons & (matching?.reasons ?? ALL_REASONS);
}

/** The newest delta CRL that applies to this complete CRL (RFC 5280 §5.2.4). */
function newestDeltaFor(base: CrlIndex, deltas: readonly CrlIndex[]): CrlIndex | undefined {
  const baseNumber = base.header.crlNumber === undefined ? undefined : BigInt(base.header.crlNumber);
  if (baseNumber === undefined) return undefined;
  let newest: CrlIndex | undefined;
  for (const delta of deltas) {
    const from = BigInt(delta.header.deltaBase ?? '-1');
    const number = delta.header.crlNumber === undefined ? undefined : BigInt(delta.header.crlNumber);
    if (from > baseNumber || number === undefined || number <= baseNumber) continue;
    if (!newest || number > BigInt(newest.header.crlNumber ?? '-1')) newest = delta;
  }
  return newest;
}
