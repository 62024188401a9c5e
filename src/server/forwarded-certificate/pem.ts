import * as x509 from '@peculiar/x509';
import { ForwardedCertificateSyntaxError } from './types.js';

/**
 * Undoes percent-encoding. decodeURIComponent, not the query-string decoder: proxies that
 * leave `+` unescaped (AWS ALB keeps `+`, `/` and `=`) mean a plus sign, never a space.
 */
export function percentDecoded(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ForwardedCertificateSyntaxError(`${what}: invalid percent-encoding`);
  }
}

/**
 * The certificates of a PEM text, in order, as DER. Only CERTIFICATE blocks are accepted, and
 * nothing but whitespace may stand around them, so that a truncated or mixed value is refused
 * instead of half-read.
 */
export function certificatesFromPem(text: string, what: string): Uint8Array[] {
  if (text.trim() === '') return [];
  let blocks: ReturnType<typeof x509.PemConverter.decodeWithHeaders>;
  try {
    blocks = x509.PemConverter.decodeWithHeaders(text);
  } catch {
    throw new ForwardedCertificateSyntaxError(`${what}: not PEM`);
  }
  if (blocks.length === 0) throw new ForwardedCertificateSyntaxError(`${what}: no PEM block`);
  for (const block of blocks) {
    if (block.type !== 'CERTIFICATE') {
      throw new ForwardedCertificateSyntaxError(`${what}: a PEM block of type "${block.type.slice(0, 40)}"`);
    }
  }
  const reencoded = x509.PemConverter.encode(
    blocks.map((block) => ({ type: block.type, rawData: block.rawData })),
  );
  if (normalised(reencoded) !== normalised(text)) {
    throw new ForwardedCertificateSyntaxError(`${what}: text outside or inside the PEM blocks`);
  }
  return blocks.map((block) => new Uint8Array(block.rawData));
}

/** PEM compared without any whitespace: line lengths and line ends differ between proxies. */
function normalised(text: string): string {
  return text.replace(/\s+/g, '');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (Buffer.from alone silently skips bad characters). */
export function bytesFromBase64(value: string, what: string): Uint8Array {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) {
    throw new ForwardedCertificateSyntaxError(`${what}: not base64`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}
