import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import type { ParsedCertificate } from '../certificate.js';

/**
 * The OCSP CertID of a certificate (RFC 6960 §4.1.1) with SHA-1, the hash every responder
 * supports (RFC 5019 §2.1.1): the issuer's name hash and key hash, and the serial number.
 */
export interface CertIdParts {
  issuerNameHash: Buffer;
  /** SHA-1 of the issuer's subjectPublicKey BIT STRING value. */
  issuerKeyHash: Buffer;
  /** Serial number, hex of the INTEGER content (ParsedCertificate.serialNumber). */
  serialHex: string;
}

export const SHA1_OID = '1.3.14.3.2.26';

// The issuer half of a CertID is the same for every card of that CA: computed once per CA
// certificate (a returning card's status lookup must cost next to nothing).
const issuerHashes = new WeakMap<ParsedCertificate, { name: Buffer; key: Buffer }>();

export function certIdFor(leaf: ParsedCertificate, issuer: ParsedCertificate): CertIdParts {
  let hashes = issuerHashes.get(issuer);
  if (hashes === undefined) {
    hashes = { name: sha1(issuer.subjectDer), key: publicKeyHash(issuer.spkiDer) };
    issuerHashes.set(issuer, hashes);
  }
  return { issuerNameHash: hashes.name, issuerKeyHash: hashes.key, serialHex: leaf.serialNumber };
}

/** SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo (also OCSP's byKey id). */
export function publicKeyHash(spkiDer: Uint8Array): Buffer {
  const spki = AsnConvert.parse(spkiDer, ax.SubjectPublicKeyInfo);
  return sha1(new Uint8Array(spki.subjectPublicKey));
}

/** Key of one certificate's status in the caches: `ocsp:<issuerKeyHash>:<serial>`. */
export function statusCacheKey(id: CertIdParts): string {
  return `ocsp:${id.issuerKeyHash.toString('hex')}:${id.serialHex}`;
}

function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest();
}
