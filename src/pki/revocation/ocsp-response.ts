import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ParsedCertificate } from '../certificate.js';
import { EXT } from '../extensions.js';
import { decodeName } from '../names.js';
import { publicKeyHash, SHA1_OID, type CertIdParts } from './cert-id.js';
import { OCSP_NONCE_OID } from './ocsp-request.js';
import { verifySignedParts } from './signature.js';

/**
 * Reads an OCSP response (RFC 6960) and decides whether it may be believed: signed by the
 * issuing CA itself or by a responder certificate that CA issued for OCSP signing, about the
 * certificate asked for, fresh at the validation time, and answering our nonce if it echoes
 * one. The verdict is good, revoked or unknown; anything else is an OcspResponseError.
 */

const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspVerdict {
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revokedAt?: Date;
  /** Who signed: the CA's own key or a designated responder. */
  signer: 'issuer' | 'designated';
}

export type OcspProblem =
  | 'malformed'
  | 'not_successful'
  | 'no_matching_response'
  | 'signature_invalid'
  | 'unauthorised_signer'
  | 'not_yet_valid'
  | 'stale'
  | 'nonce_mismatch';

export class OcspResponseError extends Error {
  readonly problem: OcspProblem;

  constructor(problem: OcspProblem, message: string) {
    super(message);
    this.name = 'OcspResponseError';
    this.problem = problem;
  }
}

export interface OcspCheckContext {
  id: CertIdParts;
  /** The certificate of the CA that issued the certificate being checked. */
  issuer: ParsedCertificate;
  /** Validation time. */
  at: Date;
  clockSkewMs: number;
  /** How old thisUpdate may be when the response has no nextUpdate. */
  maxAgeWithoutNextUpdateMs: number;
  /** The nonce we sent, if any. */
  nonce?: Uint8Array;
}

/** OCSPResponseStatus names (RFC 6960 §4.2.1; 4 is not used). */
const RESPONSE_STATUS = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  '4',
  'sigRequired',
  'unauthorized',
];

/** @throws OcspResponseError when the response cannot be trusted for this certificate */
export function verifyOcspResponse(der: Uint8Array, context: OcspCheckContext): OcspVerdict {
  const basic = readBasicResponse(der);
  const data = basic.tbsResponseData;
  const single = data.responses.find((response) => matches(response.certID, context.id));
  if (!single) {
    throw new OcspResponseError('no_matching_response', 'the response is about another certificate');
  }
  const signer = authorisedSigner(basic, context);
  checkNonce(data, context.nonce);
  checkFreshness(single, context);
  return { ...statusOf(single), thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, signer };
}

function readBasicResponse(der: Uint8Array): pkijs.BasicOCSPResponse {
  let response: pkijs.OCSPResponse;
  try {
    const decoded = asn1js.fromBER(der);
    if (decoded.offset === -1) throw new Error(decoded.result.error);
    response = new pkijs.OCSPResponse({ schema: decoded.result });
  } catch (error) {
    throw new OcspResponseError('malformed', `not an OCSP response: ${(error as Error).message}`);
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) {
    throw new OcspResponseError('not_successful', `responder said ${RESPONSE_STATUS[status] ?? status}`);
  }
  if (!response.responseBytes || response.responseBytes.responseType !== ID_PKIX_OCSP_BASIC) {
    throw new OcspResponseError('malformed', 'not a basic OCSP response');
  }
  try {
    const inner = asn1js.fromBER(response.responseBytes.response.valueBlock.valueHexView);
    if (inner.offset === -1) throw new Error(inner.result.error);
    return new pkijs.BasicOCSPResponse({ schema: inner.result });
  } catch (error) {
    throw new OcspResponseError('malformed', `BasicOCSPResponse: ${(error as Error).message}`);
  }
}

function matches(certId: pkijs.CertID, id: CertIdParts): boolean {
  return (
    certId.hashAlgorithm.algorithmId === SHA1_OID &&
    Buffer.from(certId.issuerNameHash.valueBlock.valueHexView).equals(id.issuerNameHash) &&
    Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView).equals(id.issuerKeyHash) &&
    Buffer.from(certId.serialNumber.valueBlock.valueHexView).toString('hex') === id.serialHex
  );
}

/**
 * RFC 6960 §4.2.2.2: the signer is the CA that issued the certificate, or a responder whose
 * certificate that CA issued with id-kp-OCSPSigning. Anyone else, even another trusted CA,
 * may not speak for this CA's certificates.
 */
function authorisedSigner(
  basic: pkijs.BasicOCSPResponse,
  context: OcspCheckContext,
): OcspVerdict['signer'] {
  const signed = {
    algorithm: basic.signatureAlgorithm.algorithmId,
    parameters: parametersOf(basic.signatureAlgorithm),
    signed: basic.tbsResponseData.tbsView,
    signature: basic.signature.valueBlock.valueHexView,
  };
  const responder = basic.tbsResponseData.responderID as unknown;

  if (identifies(responder, context.issuer) && verifySignedParts(signed, context.issuer.publicKey)) {
    return 'issuer';
  }
  let sawSigner = false;
  for (const embedded of basic.certs ?? []) {
    // An embedded certificate is the responder's claim: one that cannot be read (a key
    // Node cannot decode, a malformed extension) is skipped, never an exception
    // (found by test/fuzz/revocation-responses.test.ts).
    let signs: boolean;
    let designated: boolean;
    try {
      const candidate = ParsedCertificate.fromDer(new Uint8Array(embedded.toSchema().toBER()));
      signs = identifies(responder, candidate) && verifySignedParts(signed, candidate.publicKey);
      designated = signs && isDesignatedResponder(candidate, context);
    } catch {
      continue;
    }
    if (!signs) continue;
    sawSigner = true;
    if (designated) return 'designated';
  }
  if (sawSigner) {
    throw new OcspResponseError(
      'unauthorised_signer',
      'signed by a certificate the issuing CA did not authorise for OCSP',
    );
  }
  throw new OcspResponseError('signature_invalid', 'no authorised key verifies the response signature');
}

function isDesignatedResponder(candidate: ParsedCertificate, context: OcspCheckContext): boolean {
  const { issuer, at, clockSkewMs } = context;
  const time = at.getTime();
  const eku = candidate.facts().extendedKeyUsage ?? [];
  return (
    candidate.issuerKey === issuer.subjectKey &&
    candidate.isSignedBy(issuer) &&
    eku.includes(ID_KP_OCSP_SIGNING) &&
    candidate.notBefore.getTime() - clockSkewMs <= time &&
    time <= candidate.notAfter.getTime() + clockSkewMs &&
    // A responder key usable for OCSP must be allowed to sign (when keyUsage is present).
    (candidate.extension(EXT.keyUsage) === undefined ||
      (candidate.keyUsage ?? []).includes('digitalSignature'))
  );
}

/** ResponderID byName (the subject) or byKey (SHA-1 of the public key bits). */
function identifies(responder: unknown, certificate: ParsedCertificate): boolean {
  if (responder instanceof asn1js.OctetString) {
    return Buffer.from(responder.valueBlock.valueHexView).equals(publicKeyHash(certificate.spkiDer));
  }
  if (responder instanceof pkijs.RelativeDistinguishedNames) {
    const der = Buffer.from(responder.toSchema().toBER());
    return der.equals(certificate.subjectDer) || sameNameKey(der, certificate);
  }
  return false;
}

/** Byte-different but equal names (RFC 5280 §7.1 rules, as path building compares them). */
function sameNameKey(der: Buffer, certificate: ParsedCertificate): boolean {
  try {
    return decodeName(asn1js.fromBER(der).result).key === certificate.subjectKey;
  } catch {
    return false;
  }
}

function parametersOf(algorithm: pkijs.AlgorithmIdentifier): Uint8Array | undefined {
  const params = algorithm.algorithmParams as asn1js.AsnType | undefined;
  if (!params || params instanceof asn1js.Null) return undefined;
  return new Uint8Array(params.toBER());
}

function checkNonce(data: pkijs.ResponseData, sent: Uint8Array | undefined): void {
  if (!sent) return;
  const echoed = data.responseExtensions?.find((extension) => extension.extnID === OCSP_NONCE_OID);
  // Responders that pre-sign their answers (most national ones) echo no nonce: freshness then
  // rests on thisUpdate/nextUpdate. An echoed nonce that differs is a replayed answer.
  if (!echoed) return;
  const inner = asn1js.fromBER(echoed.extnValue.valueBlock.valueHexView).result;
  const value =
    inner instanceof asn1js.OctetString
      ? inner.valueBlock.valueHexView
      : echoed.extnValue.valueBlock.valueHexView;
  if (!Buffer.from(value).equals(Buffer.from(sent))) {
    throw new OcspResponseError('nonce_mismatch', 'the response echoes another nonce');
  }
}

function checkFreshness(single: pkijs.SingleResponse, context: OcspCheckContext): void {
  const time = context.at.getTime();
  if (single.thisUpdate.getTime() - context.clockSkewMs > time) {
    throw new OcspResponseError('not_yet_valid', `thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  }
  const expires = single.nextUpdate
    ? single.nextUpdate.getTime()
    : single.thisUpdate.getTime() + context.maxAgeWithoutNextUpdateMs;
  if (expires + context.clockSkewMs < time) {
    throw new OcspResponseError('stale', `the response expired at ${new Date(expires).toISOString()}`);
  }
}

function statusOf(single: pkijs.SingleResponse): Pick<OcspVerdict, 'status' | 'revokedAt'> {
  const status = single.certStatus as asn1js.BaseBlock;
  switch (status.idBlock.tagNumber) {
    case 0:
      return { status: 'good' };
    case 1: {
      const time = (status as asn1js.Constructed).valueBlock.value?.[0];
      const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
      return revokedAt ? { status: 'revoked', revokedAt } : { status: 'revoked' };
    }
    default:
      return { status: 'unknown' };
  }
}
