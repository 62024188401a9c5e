/**
 * What the identity layer reads from a certificate and what it yields.
 * The pki layer produces `CertificateFacts` (parsing each certificate once); the claim
 * mapping consumes them. Nothing here knows about TLS or OIDC.
 */

/** One attribute of a distinguished name, in the order it appears in the certificate. */
export interface NameAttribute {
  /** Dotted OID, e.g. 2.5.4.3. */
  oid: string;
  /** Short name where one is known: C, CN, SN, GN, serialNumber, O, OU, L, ST, E… */
  name: string | undefined;
  /** Decoded string value (PrintableString, UTF8String, T61String, BMPString…), NFC. */
  value: string;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface SubjectAltName {
  type: 'email' | 'dns' | 'uri' | 'ip' | 'directoryName' | 'otherName' | 'other';
  value: string;
  /** For otherName: its type OID. */
  oid?: string;
}

export interface CertificateFacts {
  subject: NameAttribute[];
  issuer: NameAttribute[];
  /** Hex, lower case, no leading zero bytes stripped beyond DER. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Undefined when the certificate has no keyUsage extension. */
  keyUsage: KeyUsageName[] | undefined;
  /** Extended key usage OIDs; undefined when absent. */
  extendedKeyUsage: string[] | undefined;
  /** certificatePolicies OIDs, in order; empty when absent. */
  policies: string[];
  subjectAltNames: SubjectAltName[];
  /** SHA-256 of the DER, lower-case hex. */
  sha256: string;
  publicKeyAlgorithm: 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'other';
  /** EC curve name where relevant (P-256, P-384, P-521). */
  namedCurve?: string;
}

/** ETSI EN 319 412-1 natural-person semantics identifier, normalised. */
export interface NationalIdentifier {
  /** IDC, PNO, PAS, TIN, or the profile's own for bare legacy values. */
  type: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  value: string;
  /** The attribute exactly as it appears in the certificate. */
  raw: string;
}

/** eIDAS level of assurance URIs. */
export type LevelOfAssurance =
  | 'http://eidas.europa.eu/LoA/high'
  | 'http://eidas.europa.eu/LoA/substantial'
  | 'http://eidas.europa.eu/LoA/low';

/** Claims derived from one certificate at login; released later per scope and client. */
export interface IdentityClaims {
  given_name?: string;
  family_name?: string;
  name?: string;
  /** YYYY-MM-DD, only where the identifier encodes it and the profile allows it. */
  birthdate?: string;
  national_id: NationalIdentifier;
}

export interface IdentityMatch {
  ok: true;
  /** Profile id, e.g. es-dnie. */
  profile: string;
  claims: IdentityClaims;
  acr: LevelOfAssurance;
  amr: string[];
}

export interface IdentityRefusal {
  ok: false;
  code: 'PROFILE_NOT_FOUND' | 'CERT_WRONG_USAGE' | 'CERT_SIGNATURE_ONLY' | 'IDENTIFIER_INVALID';
  /** Technical reason for the log; never contains personal data. */
  detail: string;
}

export type IdentityResult = IdentityMatch | IdentityRefusal;
