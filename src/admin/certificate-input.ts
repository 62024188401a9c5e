import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { EidError } from '../errors.js';
import { ParsedCertificate } from '../pki/certificate.js';

/**
 * Turns what an administrator uploads or pastes into the chain the decision function takes:
 * PEM text (one or more CERTIFICATE blocks, leaf first) or one DER certificate. Every
 * certificate is parsed here so that a damaged upload gets a clear answer naming which one,
 * instead of a refusal that looks like a card problem.
 */

/** More than a leaf and its intermediates is a mistake, not a chain. */
const MAX_CERTIFICATES = 10;
const PEM_LABEL = '-----BEGIN ';

export type CertificateInput =
  | { ok: true; chain: Uint8Array[] }
  | { ok: false; code: 'CERT_MISSING' | 'CERT_MALFORMED'; message: string };

export function readCertificateInput(input: Uint8Array | string): CertificateInput {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') {
    return { ok: false, code: 'CERT_MISSING', message: 'no certificate was uploaded or pasted' };
  }
  const text = bytes.toString('latin1');
  const chain = text.includes(PEM_LABEL) ? fromPem(text) : { ok: true as const, chain: [bytes] };
  if (!chain.ok) return chain;
  if (chain.chain.length > MAX_CERTIFICATES) {
    return {
      ok: false,
      code: 'CERT_MALFORMED',
      message:
        `${chain.chain.length} certificates: at most ${MAX_CERTIFICATES} ` +
        '(a leaf and its intermediates)',
    };
  }
  for (const [index, der] of chain.chain.entries()) {
    try {
      ParsedCertificate.fromDer(der);
    } catch (error) {
      const what = chain.chain.length === 1 ? 'the certificate' : `certificate ${index + 1}`;
      const reason = error instanceof EidError ? (error.detail ?? error.message) : 'unreadable';
      return {
        ok: false,
        code: 'CERT_MALFORMED',
        message: `${what} is not a valid X.509 certificate (PEM or DER): ${reason}`,
      };
    }
  }
  return chain;
}

function fromPem(text: string): CertificateInput {
  let blocks: ReturnType<typeof x509.PemConverter.decodeWithHeaders>;
  try {
    blocks = x509.PemConverter.decodeWithHeaders(text);
  } catch {
    return { ok: false, code: 'CERT_MALFORMED', message: 'the PEM text could not be decoded' };
  }
  const certificates = blocks.filter((block) => block.type === 'CERTIFICATE');
  if (certificates.length === 0) {
    return {
      ok: false,
      code: 'CERT_MALFORMED',
      message: 'the PEM text holds no "BEGIN CERTIFICATE" block',
    };
  }
  return { ok: true, chain: certificates.map((block) => new Uint8Array(block.rawData)) };
}
