import 'reflect-metadata';
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { EidError } from '../errors.js';
import type {
  CertificateFacts,
  KeyUsageName,
  NameAttribute,
  SubjectAltName,
} from '../identity/types.js';
import { BoundedCache } from './bounded-cache.js';
import { EXT } from './extensions.js';
import { decodeDirectoryString, decodeName, type DecodedName } from './names.js';

/**
 * One X.509 certificate, parsed once. Node's native parser (fast) is the gatekeeper and does
 * the signature checks; the raw ASN.1 tree (asn1js, the cheapest complete reader measured) is
 * read lazily for exact name bytes, validity and extensions; every derived value is memoised,
 * so a certificate kept in the trust store or the decision cache is never decoded twice.
 */

/** One extension as it appears in the certificate. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The DER inside extnValue. */
  value: Uint8Array;
}

interface TbsView {
  version: number;
  serialHex: string;
  issuer: asn1js.AsnType;
  issuerDer: Buffer;
  subject: asn1js.AsnType;
  subjectDer: Buffer;
  spkiDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: RawExtension[];
  /** OID of the outer signatureAlgorithm. */
  signatureAlgorithm: string;
  /** The TBS `signature` field is byte-identical to the outer one (RFC 5280 §4.1.1.2). */
  signatureAlgorithmsAgree: boolean;
}

/**
 * Signature algorithms the engine verifies: RSA PKCS#1 v1.5 and RSA-PSS with SHA-2, ECDSA with
 * SHA-2. Everything else (DSA, which WebCrypto does not offer either; SHA-1; MD5) is refused:
 * no eID scheme served here signs with them.
 */
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};
/** NIST curves P-256, P-384 and P-521, by node's names. */
const SIGNING_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
/** asn1js options for decoding one extension value (see decodeExtension). */
const EXTENSION_BER_OPTIONS = { parseEmbedded: false, copyInput: false } as const;
/**
 * Extensions whose bytes are the same on every certificate one CA issues (its key identifier,
 * its policies, the key usage of the profile…): decoded once per distinct value for the whole
 * process rather than once per citizen, with the same decoder, so exactly as strict (a value
 * that fails to decode is never cached and fails every time). Never the subject's own values
 * (subjectAltName holds personal data, subjectKeyIdentifier is unique per key). Callers treat
 * decoded extensions as read-only, which sharing relies on.
 */
const SHARED_DECODES: ReadonlySet<string> = new Set([
  EXT.authorityKeyIdentifier,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.basicConstraints,
  EXT.certificatePolicies,
  EXT.policyMappings,
  EXT.policyConstraints,
  EXT.inhibitAnyPolicy,
  EXT.nameConstraints,
  EXT.crlDistributionPoints,
  EXT.authorityInfoAccess,
]);
/** Distinct values kept per schema: bounded, the extensions come from the network. */
const SHARED_DECODE_ENTRIES = 256;
const sharedDecodes = new Map<unknown, BoundedCache<string, unknown>>();

function sharedDecodesFor(schema: unknown): BoundedCache<string, unknown> {
  let cache = sharedDecodes.get(schema);
  if (cache === undefined) {
    cache = new BoundedCache(SHARED_DECODE_ENTRIES);
    sharedDecodes.set(schema, cache);
  }
  return cache;
}
/** Below this an RSA signature is not evidence of anything (NIST SP 800-131A). */
const MIN_RSA_BITS = 2048;

export class ParsedCertificate {
  /** The certificate's DER. */
  readonly der: Uint8Array;
  /** Node's parsed certificate: signature checks and public key. */
  readonly native: X509Certificate;
  /** SHA-256 of the DER, lower-case hex. */
  readonly sha256: string;

  #tbs: TbsView | undefined;
  #publicKey: KeyObject | undefined;
  #spkiSha256: string | undefined;
  #subject: DecodedName | undefined;
  #issuer: DecodedName | undefined;
  #extensions: Map<string, RawExtension> | undefined;
  #decoded = new Map<string, unknown>();
  #facts: CertificateFacts | undefined;
  #peculiar: x509.X509Certificate | undefined;

  private constructor(der: Uint8Array, native: X509Certificate, sha256: string) {
    this.der = der;
    this.native = native;
    this.sha256 = sha256;
  }

  /**
   * Parses a DER certificate.
   * @throws EidError CERT_MALFORMED when the bytes are not a well-formed certificate.
   */
  static fromDer(der: Uint8Array, sha256?: string): ParsedCertificate {
    let native: X509Certificate;
    try {
      native = new X509Certificate(der);
    } catch (error) {
      throw malformed('not a DER X.509 certificate', error);
    }
    const bytes = Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.length);
    const parsed = new ParsedCertificate(
      bytes,
      native,
      sha256 ?? createHash('sha256').update(bytes).digest('hex'),
    );
    parsed.tbs(); // fail now, not in the middle of path validation
    return parsed;
  }

  /** Parses every certificate of a PEM text (or one DER), in order. */
  static fromPemOrDer(input: string | Uint8Array): ParsedCertificate[] {
    if (typeof input !== 'string' && !looksLikePem(input)) {
      return [ParsedCertificate.fromDer(input)];
    }
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    let blocks: ReturnType<typeof x509.PemConverter.decodeWithHeaders>;
    try {
      blocks = x509.PemConverter.decodeWithHeaders(text).filter(
        (block) => block.type === 'CERTIFICATE',
      );
    } catch (error) {
      // e.g. a block whose body is not base64 (found by test/fuzz/certificate-parsing.test.ts)
      throw malformed('the PEM text cannot be decoded', error);
    }
    if (blocks.length === 0) throw malformed('no CERTIFICATE block in the PEM text');
    return blocks.map((block) => ParsedCertificate.fromDer(new Uint8Array(block.rawData)));
  }

  /** SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex: the key pin. */
  get spkiSha256(): string {
    this.#spkiSha256 ??= createHash('sha256').update(this.tbs().spkiDer).digest('hex');
    return this.#spkiSha256;
  }

  get spkiDer(): Uint8Array {
    return this.tbs().spkiDer;
  }

  /** The subject Name's DER exactly as encoded. */
  get subjectDer(): Buffer {
    return this.tbs().subjectDer;
  }

  /** The issuer Name's DER exactly as encoded. */
  get issuerDer(): Buffer {
    return this.tbs().issuerDer;
  }

  /** RFC 5280 §7.1 comparison key of the subject name. */
  get subjectKey(): string {
    return this.subjectName().key;
  }

  /** The subject's RDN comparison keys, in order. */
  get subjectRdnKeys(): readonly string[] {
    return this.subjectName().rdnKeys;
  }

  /** RFC 5280 §7.1 comparison key of the issuer name. */
  get issuerKey(): string {
    return this.issuerName().key;
  }

  get notBefore(): Date {
    return this.tbs().notBefore;
  }

  get notAfter(): Date {
    return this.tbs().notAfter;
  }

  get version(): number {
    return this.tbs().version;
  }

  /** Serial number, the DER content bytes as lower-case hex. */
  get serialNumber(): string {
    return this.tbs().serialHex;
  }

  /** Issuer and subject names match: a CA's own certificate (self-issued, RFC 5280 §6.1). */
  get selfIssued(): boolean {
    return this.subjectKey === this.issuerKey;
  }

  /** Self-issued and verified by its own key: a root, which has no other issuer. */
  get selfSigned(): boolean {
    return this.memo('selfSigned', () => this.selfIssued && this.isSignedBy(this));
  }

  /** basicConstraints cA is true. */
  get isCa(): boolean {
    return this.basicConstraints()?.cA ?? false;
  }

  /** pathLenConstraint, or undefined when absent (unlimited) or not a CA. */
  get pathLength(): number | undefined {
    const constraints = this.basicConstraints();
    return constraints?.cA ? constraints.pathLenConstraint : undefined;
  }

  /** Key usage names; undefined when the certificate has no keyUsage extension. */
  get keyUsage(): KeyUsageName[] | undefined {
    return this.memo('keyUsage', () => {
      // decodeExtension: a keyUsage that is not a BIT STRING is CERT_MALFORMED, not a
      // TypeError (found by test/fuzz/certificate-parsing.test.ts).
      const usage = this.decodeExtension(EXT.keyUsage, ax.KeyUsage);
      if (!usage) return undefined;
      const bits = usage.toNumber();
      return KEY_USAGE_BITS.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
    });
  }

  /** subjectKeyIdentifier as hex, if present. */
  get subjectKeyId(): string | undefined {
    return this.memo('ski', () => {
      const id = this.decodeExtension(EXT.subjectKeyIdentifier, ax.SubjectKeyIdentifier);
      if (!id) return undefined;
      return Buffer.from(id.buffer).toString('hex');
    });
  }

  /** authorityKeyIdentifier keyIdentifier as hex, if present. */
  get authorityKeyId(): string | undefined {
    return this.memo('aki', () => {
      const aki = this.decodeExtension(EXT.authorityKeyIdentifier, ax.AuthorityKeyIdentifier);
      const id = aki?.keyIdentifier;
      return id ? Buffer.from(id.buffer).toString('hex') : undefined;
    });
  }

  /** Node KeyObject of the subject public key, for verifying what this certificate signed. */
  get publicKey(): KeyObject {
    if (this.#publicKey) return this.#publicKey;
    try {
      this.#publicKey = this.native.publicKey;
    } catch (error) {
      // Node parses a certificate whose key it cannot decode and throws only here
      // (found by test/fuzz/certificate-parsing.test.ts).
      throw malformed('the subject public key cannot be decoded', error);
    }
    return this.#publicKey;
  }

  /** Every extension, in certificate order. */
  get extensions(): readonly RawExtension[] {
    return this.tbs().extensions;
  }

  /** The extension with this OID, if present. */
  extension(oid: string): RawExtension | undefined {
    if (!this.#extensions) {
      this.#extensions = new Map(this.tbs().extensions.map((ext) => [ext.oid, ext]));
    }
    return this.#extensions.get(oid);
  }

  /**
   * Decodes one extension with an @peculiar/asn1-x509 schema, memoised.
   * @throws EidError CERT_MALFORMED when the extension does not match its schema.
   */
  decodeExtension<T>(oid: string, schema: new () => T): T | undefined {
    return this.memo(`ext:${oid}`, () => {
      const raw = this.extension(oid);
      if (!raw) return undefined;
      const shared = SHARED_DECODES.has(oid) ? sharedDecodesFor(schema) : undefined;
      const key = shared ? `${oid}:${Buffer.from(raw.value).toString('hex')}` : '';
      const known = shared?.get(key);
      if (known !== undefined) return known as T;
      let decoded: T;
      try {
        // The extension's own bytes only: nothing inside its OCTET/BIT STRINGs is read
        // speculatively (see readTbs), and `raw.value` is never modified, so no copy.
        decoded = AsnConvert.parse(raw.value, schema, { berOptions: EXTENSION_BER_OPTIONS });
      } catch (error) {
        throw malformed(`extension ${oid} cannot be decoded`, error);
      }
      shared?.set(key, decoded);
      return decoded;
    });
  }

  /** OID of the certificate's signature algorithm. */
  get signatureAlgorithm(): string {
    return this.tbs().signatureAlgorithm;
  }

  /**
   * Why this certificate's signature by `issuer` is not one the engine verifies (algorithm or
   * key outside the supported set), or undefined when it is.
   */
  unsupportedSignature(issuer: ParsedCertificate): string | undefined {
    const tbs = this.tbs();
    if (!tbs.signatureAlgorithmsAgree) {
      return 'the signature algorithm inside the certificate differs from the outer one';
    }
    if (SIGNATURE_ALGORITHMS[tbs.signatureAlgorithm] === undefined) {
      return `unsupported signature algorithm ${tbs.signatureAlgorithm}`;
    }
    // Node builds asymmetricKeyDetails anew on every read: read once per issuer, memoised.
    const key = issuer.memo('keyDescription', () => ({
      asymmetricKeyType: issuer.publicKey.asymmetricKeyType,
      details: issuer.publicKey.asymmetricKeyDetails ?? {},
    }));
    const details = key.details;
    if (key.asymmetricKeyType === 'ec') {
      if (!tbs.signatureAlgorithm.startsWith('1.2.840.10045.')) return 'an EC key with a non-ECDSA signature';
      if (!SIGNING_CURVES.has(details.namedCurve ?? '')) {
        return `unsupported curve ${details.namedCurve ?? 'unknown'}`;
      }
      return undefined;
    }
    if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
      if (!tbs.signatureAlgorithm.startsWith('1.2.840.113549.')) return 'an RSA key with a non-RSA signature';
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
        return `RSA key of ${details.modulusLength ?? 0} bits (at least ${MIN_RSA_BITS} required)`;
      }
      return undefined;
    }
    return `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`;
  }

  /**
   * True when `issuer`'s key verifies this certificate's signature (node:crypto, native) with a
   * supported algorithm and key ({@link unsupportedSignature}).
   */
  isSignedBy(issuer: ParsedCertificate): boolean {
    if (this.unsupportedSignature(issuer) !== undefined) return false;
    try {
      return this.native.verify(issuer.publicKey);
    } catch {
      return false;
    }
  }

  /** Subject name attributes in RDN order. */
  get subject(): readonly NameAttribute[] {
    return this.subjectName().attributes;
  }

  /** Issuer name attributes in RDN order. */
  get issuer(): readonly NameAttribute[] {
    return this.issuerName().attributes;
  }

  /** The @peculiar/x509 view, built on first use (for callers that want its helpers). */
  get x509(): x509.X509Certificate {
    this.#peculiar ??= new x509.X509Certificate(new Uint8Array(this.der));
    return this.#peculiar;
  }

  /** PEM text of the certificate. */
  get pem(): string {
    return this.native.toString();
  }

  /** What the identity layer reads, decoded from the ASN.1 once and memoised. */
  facts(): CertificateFacts {
    this.#facts ??= this.buildFacts();
    return this.#facts;
  }

  private buildFacts(): CertificateFacts {
    const eku = this.decodeExtension(EXT.extKeyUsage, ax.ExtendedKeyUsage);
    const policies = this.decodeExtension(EXT.certificatePolicies, ax.CertificatePolicies);
    const key = this.publicKey;
    const facts: CertificateFacts = {
      subject: [...this.subject],
      issuer: [...this.issuer],
      serialNumber: this.serialNumber,
      notBefore: this.notBefore,
      notAfter: this.notAfter,
      keyUsage: this.keyUsage,
      extendedKeyUsage: eku ? eku.map(String) : undefined,
      policies: policies ? policies.map((policy) => policy.policyIdentifier) : [],
      subjectAltNames: this.subjectAltNames(),
      sha256: this.sha256,
      publicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[key.asymmetricKeyType ?? ''] ?? 'other',
    };
    // Only an EC key has a curve; Node builds the details object anew on each read, and for
    // RSA that means converting the exponent to a BigInt for nothing.
    const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
    if (curve) facts.namedCurve = CURVES[curve] ?? curve;
    return facts;
  }

  private subjectAltNames(): SubjectAltName[] {
    const names = this.decodeExtension(EXT.subjectAltName, ax.SubjectAlternativeName);
    return names ? names.map(describeGeneralName) : [];
  }

  private basicConstraints(): ax.BasicConstraints | undefined {
    return this.decodeExtension(EXT.basicConstraints, ax.BasicConstraints);
  }

  private subjectName(): DecodedName {
    this.#subject ??= decodeNameOrThrow(this.tbs().subject, 'subject');
    return this.#subject;
  }

  private issuerName(): DecodedName {
    this.#issuer ??= decodeNameOrThrow(this.tbs().issuer, 'issuer');
    return this.#issuer;
  }

  private memo<T>(key: string, compute: () => T): T {
    if (this.#decoded.has(key)) return this.#decoded.get(key) as T;
    const value = compute();
    this.#decoded.set(key, value);
    return value;
  }

  private tbs(): TbsView {
    this.#tbs ??= readTbs(this.der);
    return this.#tbs;
  }
}

function readTbs(der: Uint8Array): TbsView {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    // One pass over the certificate's own structure only: parseEmbedded off keeps asn1js from
    // also decoding every extension's OCTET STRING and the key's BIT STRING (about a third of
    // its time on a DNIe leaf); the extensions a check needs are decoded on demand, once
    // (decodeExtension). copyInput off: the views read from the tree alias `der`, as `this.der`
    // already does; nothing here writes to it.
    parsed = asn1js.fromBER(der, { parseEmbedded: false, copyInput: false });
  } catch (error) {
    // asn1js throws, rather than reports, on some bad values (a GeneralizedTime that Node
    // let through, found by test/fuzz/certificate-parsing.test.ts).
    throw malformed('ASN.1 cannot be read', error);
  }
  if (parsed.offset === -1) throw malformed(`ASN.1: ${parsed.result.error}`);
  const certificate = parsed.result;
  const tbs = certificate instanceof asn1js.Sequence ? certificate.valueBlock.value[0] : undefined;
  if (!(tbs instanceof asn1js.Sequence)) throw malformed('no TBSCertificate');
  const outerAlgorithm = (certificate as asn1js.Sequence).valueBlock.value[1];
  const outerOid =
    outerAlgorithm instanceof asn1js.Sequence ? outerAlgorithm.valueBlock.value[0] : undefined;
  if (!(outerAlgorithm instanceof asn1js.Sequence) || !(outerOid instanceof asn1js.ObjectIdentifier)) {
    throw malformed('no signatureAlgorithm');
  }
  const fields = [...tbs.valueBlock.value];
  let version = 1;
  const first = fields[0];
  if (first && first.idBlock.tagClass === 3 && first.idBlock.tagNumber === 0) {
    const inner = (first as asn1js.Constructed).valueBlock.value[0];
    if (!(inner instanceof asn1js.Integer)) throw malformed('version is not an INTEGER');
    version = inner.valueBlock.valueDec + 1;
    fields.shift();
  }
  const [serial, innerAlgorithm, issuer, validity, subject, spki, ...optional] = fields;
  if (!(serial instanceof asn1js.Integer)) throw malformed('serialNumber is not an INTEGER');
  if (!(validity instanceof asn1js.Sequence)) throw malformed('validity is not a SEQUENCE');
  if (!issuer || !subject || !(spki instanceof asn1js.Sequence)) throw malformed('TBS fields');
  const [notBefore, notAfter] = validity.valueBlock.value.map(timeOf);
  if (!notBefore || !notAfter) throw malformed('validity has no notBefore/notAfter');
  return {
    version,
    serialHex: Buffer.from(serial.valueBlock.valueHexView).toString('hex'),
    issuer,
    issuerDer: rawBytes(issuer),
    subject,
    subjectDer: rawBytes(subject),
    spkiDer: rawBytes(spki),
    notBefore,
    notAfter,
    extensions: readExtensions(optional),
    signatureAlgorithm: outerOid.valueBlock.toString(),
    signatureAlgorithmsAgree:
      innerAlgorithm !== undefined && rawBytes(innerAlgorithm).equals(rawBytes(outerAlgorithm)),
  };
}

function readExtensions(optional: asn1js.AsnType[]): RawExtension[] {
  const wrapper = optional.find(
    (block) => block.idBlock.tagClass === 3 && block.idBlock.tagNumber === 3,
  ) as asn1js.Constructed | undefined;
  const list = wrapper?.valueBlock.value[0];
  if (!list) return [];
  if (!(list instanceof asn1js.Sequence)) throw malformed('extensions are not a SEQUENCE');
  const seen = new Set<string>();
  return list.valueBlock.value.map((item) => {
    const parts = item instanceof asn1js.Sequence ? item.valueBlock.value : [];
    const [id, second, third] = parts;
    const critical = second instanceof asn1js.Boolean ? second.valueBlock.value : false;
    const value = second instanceof asn1js.OctetString ? second : third;
    if (!(id instanceof asn1js.ObjectIdentifier) || !(value instanceof asn1js.OctetString)) {
      throw malformed('extension is malformed');
    }
    const oid = id.valueBlock.toString();
    // RFC 5280 §4.2: a certificate must not include more than one instance of an extension.
    if (seen.has(oid)) throw malformed(`extension ${oid} appears twice`);
    seen.add(oid);
    return { oid, critical, value: value.valueBlock.valueHexView };
  });
}

function timeOf(block: asn1js.AsnType): Date | undefined {
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) {
    return block.toDate();
  }
  return undefined;
}

function rawBytes(block: asn1js.AsnType): Buffer {
  const view = block.valueBeforeDecodeView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function decodeNameOrThrow(block: asn1js.AsnType, which: string): DecodedName {
  try {
    return decodeName(block);
  } catch (error) {
    throw malformed(`${which} name is malformed`, error);
  }
}

function malformed(detail: string, cause?: unknown): EidError {
  return new EidError('CERT_MALFORMED', 'The certificate could not be read.', {
    status: 400,
    expose: true,
    detail,
    cause,
  });
}

function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

const KEY_USAGE_BITS: [number, KeyUsageName][] = [
  [ax.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [ax.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [ax.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [ax.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [ax.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [ax.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [ax.KeyUsageFlags.cRLSign, 'cRLSign'],
  [ax.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [ax.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const PUBLIC_KEY_ALGORITHMS: Record<string, CertificateFacts['publicKeyAlgorithm']> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  ed25519: 'Ed25519',
};

const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function describeGeneralName(name: ax.GeneralName): SubjectAltName {
  if (name.rfc822Name !== undefined) return { type: 'email', value: name.rfc822Name };
  if (name.dNSName !== undefined) return { type: 'dns', value: name.dNSName };
  if (name.uniformResourceIdentifier !== undefined) {
    return { type: 'uri', value: name.uniformResourceIdentifier };
  }
  if (name.iPAddress !== undefined) return { type: 'ip', value: name.iPAddress };
  if (name.directoryName !== undefined) {
    const der = AsnConvert.serialize(name.directoryName);
    return { type: 'directoryName', value: new x509.Name(der).toString() };
  }
  if (name.otherName !== undefined) {
    return { type: 'otherName', oid: name.otherName.typeId, value: otherNameText(name.otherName) };
  }
  if (name.registeredID !== undefined) return { type: 'other', value: name.registeredID };
  return { type: 'other', value: '' };
}

/** otherName values are usually one string (UPN, national ids); else shown as hex. */
function otherNameText(other: ax.OtherName): string {
  const parsed = asn1js.fromBER(other.value);
  const text = parsed.offset === -1 ? undefined : decodeDirectoryString(parsed.result);
  return text?.normalize('NFC') ?? `#${Buffer.from(other.value).toString('hex')}`;
}
