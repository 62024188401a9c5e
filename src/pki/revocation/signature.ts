import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Verifies the signature of an OCSP response or a CRL with node:crypto. Certificates are
 * verified by Node's X509Certificate; OCSP responses and CRLs have no native verifier, so the
 * signature algorithm identifier is mapped to node:crypto's parameters here.
 */

export interface SignedParts {
  /** The signatureAlgorithm OID. */
  algorithm: string;
  /** DER of the AlgorithmIdentifier parameters, when present (RSASSA-PSS needs them). */
  parameters?: Uint8Array;
  /** The exact bytes that were signed (tbsCertList, tbsResponseData). */
  signed: Uint8Array;
  signature: Uint8Array;
}

const HASH_OF: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

const DIGEST_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';

/** True when `key` verifies the signature; false for a wrong key, a bad signature or an
 * algorithm this product does not accept (never throws for those). */
export function verifySignedParts(parts: SignedParts, key: KeyObject): boolean {
  try {
    if (parts.algorithm === RSASSA_PSS) return verifyPss(parts, key);
    const hash = HASH_OF[parts.algorithm];
    if (hash === undefined) return false;
    return verify(hash, parts.signed, key, parts.signature);
  } catch {
    return false;
  }
}

function verifyPss(parts: SignedParts, key: KeyObject): boolean {
  if (!parts.parameters) return false;
  const decoded = asn1js.fromBER(parts.parameters);
  if (decoded.offset === -1) return false;
  const params = new pkijs.RSASSAPSSParams({ schema: decoded.result });
  const hash = DIGEST_OIDS[params.hashAlgorithm.algorithmId];
  if (hash === undefined) return false;
  return verify(hash, parts.signed, {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: params.saltLength,
  }, parts.signature);
}
