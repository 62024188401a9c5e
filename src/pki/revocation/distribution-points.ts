import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import type { ParsedCertificate } from '../certificate.js';
import { EXT } from '../extensions.js';
import { decodeName } from '../names.js';

/**
 * Distribution point names as comparable strings (`uri:<url>` or `dn:<RFC 5280 name key>`),
 * from a certificate's cRLDistributionPoints and from a CRL's issuingDistributionPoint, so
 * that RFC 5280 §6.3.3 (b)(2)(i) "one name in common" is a set intersection.
 */

export interface IssuingPointSummary {
  names: string[];
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  onlyContainsAttributeCerts: boolean;
  /** ReasonFlags bits; undefined means every reason. */
  onlySomeReasons: number | undefined;
  indirectCRL: boolean;
}

export interface CertificatePoint {
  names: string[];
  /** HTTP(S) URLs among the names, in order: where to download. */
  urls: string[];
  reasons: number | undefined;
  /** The point names a CRL issuer other than the certificate's issuer (indirect CRL). */
  hasCrlIssuer: boolean;
}

/** The certificate's CRL distribution points (empty when it has none). */
export function certificatePoints(certificate: ParsedCertificate): CertificatePoint[] {
  const points = certificate.decodeExtension(EXT.crlDistributionPoints, ax.CRLDistributionPoints);
  if (!points) return [];
  return points.map((point) => {
    const names = pointNames(point.distributionPoint, certificate.issuerDer);
    return {
      names,
      urls: names.filter((name) => /^uri:https?:/i.test(name)).map((name) => name.slice(4)),
      reasons: point.reasons ? reasonBits(point.reasons) : undefined,
      hasCrlIssuer: point.cRLIssuer !== undefined,
    };
  });
}

/** Summarises a CRL's issuingDistributionPoint extension. */
export function summariseIssuingPoint(
  point: ax.IssuingDistributionPoint,
  crlIssuerDer: Uint8Array,
): IssuingPointSummary {
  return {
    names: pointNames(point.distributionPoint, crlIssuerDer),
    onlyContainsUserCerts: point.onlyContainsUserCerts,
    onlyContainsCACerts: point.onlyContainsCACerts,
    onlyContainsAttributeCerts: point.onlyContainsAttributeCerts,
    onlySomeReasons: point.onlySomeReasons ? reasonBits(point.onlySomeReasons) : undefined,
    indirectCRL: point.indirectCRL,
  };
}

/** The OCSP responder URLs of a certificate's authorityInfoAccess, in order. */
export function ocspUrls(certificate: ParsedCertificate): string[] {
  const access = certificate.decodeExtension(EXT.authorityInfoAccess, ax.AuthorityInfoAccessSyntax);
  if (!access) return [];
  return access
    .filter((entry) => entry.accessMethod === ax.id_ad_ocsp)
    .map((entry) => entry.accessLocation.uniformResourceIdentifier)
    .filter((url): url is string => url !== undefined && /^https?:/i.test(url));
}

/** Every reason, as ReasonFlags bits (unused excluded). */
export const ALL_REASONS = 0x1fe;

function reasonBits(reasons: ax.Reason): number {
  return reasons.toNumber() & ALL_REASONS;
}

function pointNames(name: ax.DistributionPointName | undefined, issuerDer: Uint8Array): string[] {
  if (!name) return [];
  if (name.fullName) return name.fullName.flatMap(generalNameKey);
  if (name.nameRelativeToCRLIssuer) {
    // RFC 5280 §4.2.1.13: the full name is the CRL issuer's name plus this RDN.
    const issuer = AsnConvert.parse(issuerDer, ax.Name);
    const full = new ax.Name([...issuer, name.nameRelativeToCRLIssuer]);
    return [`dn:${nameKey(AsnConvert.serialize(full))}`];
  }
  return [];
}

function generalNameKey(name: ax.GeneralName): string[] {
  if (name.uniformResourceIdentifier !== undefined) return [`uri:${name.uniformResourceIdentifier}`];
  if (name.directoryName !== undefined) {
    return [`dn:${nameKey(AsnConvert.serialize(name.directoryName))}`];
  }
  return [];
}

function nameKey(der: ArrayBuffer): string {
  return decodeName(asn1js.fromBER(der).result).key;
}
