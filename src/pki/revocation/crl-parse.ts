import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { decodeName } from '../names.js';
import {
  bytesOf,
  childrenOf,
  contentOf,
  decodeElement,
  DerFormatError,
  isContext,
  isUniversal,
  readElement,
  TAG,
  type DerElement,
} from './der-cursor.js';
import { summariseIssuingPoint, type IssuingPointSummary } from './distribution-points.js';
import { verifySignedParts } from './signature.js';

/**
 * Reads a DER CRL (RFC 5280 §5) and checks its signature, handing the revoked entries out one
 * by one. Runs inside the CRL worker (crl-worker.ts) so that a large CRL never holds the event
 * loop that serves logins; it is also a plain function, for tests and the PKITS runner.
 */

/** CRL extensions this reader understands; any other one marked critical makes it unusable. */
const CRL_EXTENSIONS = new Set([
  ax.id_ce_authorityKeyIdentifier,
  ax.id_ce_issuerAltName,
  ax.id_ce_cRLNumber,
  ax.id_ce_deltaCRLIndicator,
  ax.id_ce_issuingDistributionPoint,
  ax.id_ce_freshestCRL,
]);
const ENTRY_EXTENSIONS = new Set([
  ax.id_ce_cRLReasons,
  ax.id_ce_invalidityDate,
  ax.id_ce_certificateIssuer,
]);

/** RFC 5280 reason code removeFromCRL: in a delta CRL it un-revokes. */
export const REASON_REMOVE_FROM_CRL = 8;
/** No reasonCode entry extension. */
export const REASON_UNSPECIFIED = 0;

/** What a CRL says besides its entries. */
export interface CrlHeader {
  /** Issuer Name DER and its RFC 5280 §7.1 comparison key. */
  issuerDer: Uint8Array;
  issuerKey: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** CRLNumber as a decimal string. */
  crlNumber: string | undefined;
  /** The base CRL number of a delta CRL. */
  deltaBase: string | undefined;
  /** Issuing distribution point, summarised; undefined when absent. */
  issuingDistributionPoint: IssuingPointSummary | undefined;
  /** Authority key identifier, hex, when present. */
  authorityKeyId: string | undefined;
  /** An unsupported critical CRL or entry extension: the CRL must not be used. */
  unsupportedCritical: string | undefined;
  /** An entry names another issuer (certificateIssuer): an indirect CRL. */
  hasCertificateIssuerEntries: boolean;
  /** Index into the candidate signers of the key that verified the signature, or -1. */
  signerIndex: number;
  /** Number of revoked entries. */
  entryCount: number;
}

export interface ParseCrlOptions {
  /** DER SubjectPublicKeyInfo of each key that may have signed the CRL. */
  signerSpkis: Uint8Array[];
  /** Called for each revoked entry: the serial's INTEGER content octets (a view) and reason. */
  onEntry(serial: Uint8Array, reason: number): void;
}

export class CrlFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CrlFormatError';
  }
}

/**
 * Parses `der` as a CRL, verifies its signature against the candidate signers and hands
 * each revoked entry to `onEntry`.
 *
 * @throws CrlFormatError when the bytes are not a DER CRL
 */
export function parseCrl(der: Uint8Array, options: ParseCrlOptions): CrlHeader {
  try {
    return parse(der, options);
  } catch (error) {
    if (error instanceof CrlFormatError) throw error;
    throw new CrlFormatError(`not a well-formed CRL: ${(error as Error).message}`, { cause: error });
  }
}

function parse(der: Uint8Array, options: ParseCrlOptions): CrlHeader {
  const outer = readElement(der, 0, der.length);
  if (!isUniversal(outer, TAG.SEQUENCE) || outer.end !== der.length) {
    throw new CrlFormatError('CertificateList is not one SEQUENCE');
  }
  const [tbs, algorithm, signature, extra] = [...childrenOf(der, outer)];
  if (!tbs || !algorithm || !signature || extra) throw new CrlFormatError('CertificateList fields');

  const algorithmId = AsnConvert.parse(bytesOf(der, algorithm), ax.AlgorithmIdentifier);
  const signatureBits = decodeElement(der, signature);
  if (!(signatureBits instanceof asn1js.BitString)) throw new CrlFormatError('signature is not a BIT STRING');

  const signed = {
    algorithm: algorithmId.algorithm,
    parameters: algorithmId.parameters ? new Uint8Array(algorithmId.parameters) : undefined,
    signed: bytesOf(der, tbs),
    signature: signatureBits.valueBlock.valueHexView,
  };
  const signerIndex = options.signerSpkis.findIndex((spki) =>
    verifySignedParts(signed, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })),
  );

  const header = readTbs(der, tbs, options);
  return { ...header, signerIndex };
}

function readTbs(
  der: Uint8Array,
  tbs: DerElement,
  options: ParseCrlOptions,
): Omit<CrlHeader, 'signerIndex'> {
  const fields = [...childrenOf(der, tbs)];
  let index = 0;
  if (fields[index] && isUniversal(fields[index]!, TAG.INTEGER)) index += 1; // version v2
  const signatureAlgorithm = fields[index++];
  const issuer = fields[index++];
  const thisUpdate = fields[index++];
  if (!signatureAlgorithm || !issuer || !thisUpdate) throw new CrlFormatError('TBSCertList fields');

  let nextUpdate: Date | undefined;
  const maybeNext = fields[index];
  if (maybeNext && isTime(maybeNext)) {
    nextUpdate = timeOf(der, maybeNext);
    index += 1;
  }
  let revoked: DerElement | undefined;
  const maybeRevoked = fields[index];
  if (maybeRevoked && isUniversal(maybeRevoked, TAG.SEQUENCE)) {
    revoked = maybeRevoked;
    index += 1;
  }
  const maybeExtensions = fields[index];
  let extensions: ax.Extensions | undefined;
  if (maybeExtensions && isContext(maybeExtensions, 0)) {
    extensions = AsnConvert.parse(contentOf(der, maybeExtensions), ax.Extensions);
    index += 1;
  }
  if (index !== fields.length) throw new CrlFormatError('unexpected TBSCertList field');

  const issuerDer = new Uint8Array(bytesOf(der, issuer));
  const header: Omit<CrlHeader, 'signerIndex'> = {
    issuerDer,
    issuerKey: decodeName(decodeElement(der, issuer)).key,
    thisUpdate: timeOf(der, thisUpdate),
    nextUpdate,
    crlNumber: undefined,
    deltaBase: undefined,
    issuingDistributionPoint: undefined,
    authorityKeyId: undefined,
    unsupportedCritical: undefined,
    hasCertificateIssuerEntries: false,
    entryCount: 0,
  };
  for (const extension of extensions ?? []) readCrlExtension(extension, header);
  if (revoked) readEntries(der, revoked, header, options);
  return header;
}

function readCrlExtension(extension: ax.Extension, header: Omit<CrlHeader, 'signerIndex'>): void {
  const value = extension.extnValue.buffer;
  switch (extension.extnID) {
    case ax.id_ce_cRLNumber:
      header.crlNumber = integerText(value);
      return;
    case ax.id_ce_deltaCRLIndicator:
      header.deltaBase = integerText(value);
      return;
    case ax.id_ce_issuingDistributionPoint:
      header.issuingDistributionPoint = summariseIssuingPoint(
        AsnConvert.parse(value, ax.IssuingDistributionPoint),
        header.issuerDer,
      );
      return;
    case ax.id_ce_authorityKeyIdentifier: {
      const id = AsnConvert.parse(value, ax.AuthorityKeyIdentifier).keyIdentifier;
      if (id) header.authorityKeyId = Buffer.from(id.buffer).toString('hex');
      return;
    }
    default:
      if (extension.critical && !CRL_EXTENSIONS.has(extension.extnID)) {
        header.unsupportedCritical ??= extension.extnID;
      }
  }
}

/** CRLNumber can exceed 2^53: read the INTEGER as a big integer, not as a JS number. */
function integerText(value: ArrayBuffer): string {
  const decoded = asn1js.fromBER(value);
  if (!(decoded.result instanceof asn1js.Integer)) throw new CrlFormatError('not an INTEGER');
  return decoded.result.toBigInt().toString();
}

function readEntries(
  der: Uint8Array,
  list: DerElement,
  header: Omit<CrlHeader, 'signerIndex'>,
  options: ParseCrlOptions,
): void {
  const entryMemo = new Map<string, EntryFacts>();
  for (const entry of childrenOf(der, list)) {
    if (!isUniversal(entry, TAG.SEQUENCE)) throw new CrlFormatError('revoked entry is not a SEQUENCE');
    const [serial, date, entryExtensions] = [...childrenOf(der, entry)];
    if (!serial || !isUniversal(serial, TAG.INTEGER) || !date || !isTime(date)) {
      throw new CrlFormatError('revoked entry fields');
    }
    let reason = REASON_UNSPECIFIED;
    if (entryExtensions) {
      // Entries of one CRL mostly carry the same extension bytes (the same reason code), and
      // decoding them is most of the cost: decode each distinct encoding once.
      const raw = bytesOf(der, entryExtensions);
      const memoKey = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
      let facts = entryMemo.get(memoKey);
      if (facts === undefined) {
        facts = readEntryExtensions(raw);
        if (entryMemo.size < ENTRY_MEMO_LIMIT) entryMemo.set(memoKey, facts);
      }
      reason = facts.reason;
      if (facts.certificateIssuer) header.hasCertificateIssuerEntries = true;
      if (facts.unsupportedCritical) header.unsupportedCritical ??= facts.unsupportedCritical;
    }
    options.onEntry(contentOf(der, serial), reason);
    header.entryCount += 1;
  }
}

interface EntryFacts {
  reason: number;
  certificateIssuer: boolean;
  unsupportedCritical: string | undefined;
}

const ENTRY_MEMO_LIMIT = 4096;

function readEntryExtensions(raw: Uint8Array): EntryFacts {
  const facts: EntryFacts = { reason: REASON_UNSPECIFIED, certificateIssuer: false, unsupportedCritical: undefined };
  for (const extension of AsnConvert.parse(raw, ax.Extensions)) {
    if (extension.extnID === ax.id_ce_cRLReasons) {
      facts.reason = AsnConvert.parse(extension.extnValue.buffer, ax.CRLReason).reason;
    } else if (extension.extnID === ax.id_ce_certificateIssuer) {
      facts.certificateIssuer = true;
    } else if (extension.critical && !ENTRY_EXTENSIONS.has(extension.extnID)) {
      facts.unsupportedCritical ??= extension.extnID;
    }
  }
  return facts;
}

function isTime(element: DerElement): boolean {
  return isUniversal(element, TAG.UTC_TIME) || isUniversal(element, TAG.GENERALIZED_TIME);
}

function timeOf(der: Uint8Array, element: DerElement): Date {
  const block = decodeElement(der, element);
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) return block.toDate();
  throw new DerFormatError('not a Time');
}
