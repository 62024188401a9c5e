import { certificatesFromPem, percentDecoded } from './pem.js';
import { ForwardedCertificateSyntaxError, type ForwardedCertificateParser } from './types.js';

/**
 * Envoy's `x-forwarded-client-cert` (XFCC): elements separated by `,`, each a list of
 * `Key=Value` pairs separated by `;`, a value double-quoted when it holds `,`, `;` or `=`
 * (with `\"` inside quotes). `Cert` is the client's leaf as URL-encoded PEM, `Chain` the
 * whole chain the client sent (leaf first) as URL-encoded PEM; Envoy adds them with
 * `set_current_client_cert_details: { cert: true, chain: true }`.
 *
 * Exactly one element is accepted: the edge Envoy must run with
 * `forward_client_cert_details: SANITIZE_SET`, so the header it forwards describes only the
 * connection it terminated. Several elements mean several hops whose order we would have to
 * believe; that is refused.
 *
 * LIMITATION: XFCC is Envoy's own syntax (no RFC, no maintained npm parser), so this small
 * tokenizer is hand-written; it only splits on separators outside quotes and unescapes `\"`.
 */
export const ENVOY_HEADER = 'x-forwarded-client-cert';

export const envoyParser: ForwardedCertificateParser = {
  format: 'envoy',
  headerNames: (configuredName) => [(configuredName ?? ENVOY_HEADER).toLowerCase()],
  parse(values, configuredName) {
    const name = (configuredName ?? ENVOY_HEADER).toLowerCase();
    const value = values.get(name);
    if (value === undefined || value.trim() === '') return [];
    const elements = splitOutsideQuotes(value, ',', name);
    if (elements.length !== 1) {
      throw new ForwardedCertificateSyntaxError(
        `${name}: ${elements.length} elements; configure the edge proxy with SANITIZE_SET`,
      );
    }
    const pairs = new Map<string, string>();
    for (const pair of splitOutsideQuotes(elements[0]!, ';', name)) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new ForwardedCertificateSyntaxError(`${name}: a field without a key`);
      const key = pair.slice(0, equals).trim().toLowerCase();
      if (pairs.has(key)) throw new ForwardedCertificateSyntaxError(`${name}: field ${key} twice`);
      pairs.set(key, unquoted(pair.slice(equals + 1).trim(), name));
    }
    const chain = pairs.get('chain');
    if (chain !== undefined && chain !== '') {
      const certificates = certificatesFromPem(percentDecoded(chain, `${name} Chain`), `${name} Chain`);
      const cert = pairs.get('cert');
      if (cert !== undefined && cert !== '') {
        // Both present: the leaf must be the chain's first certificate, or the header lies.
        const [leaf] = certificatesFromPem(percentDecoded(cert, `${name} Cert`), `${name} Cert`);
        if (!leaf || !certificates[0] || !Buffer.from(leaf).equals(Buffer.from(certificates[0]))) {
          throw new ForwardedCertificateSyntaxError(`${name}: Cert is not the first certificate of Chain`);
        }
      }
      return certificates;
    }
    const cert = pairs.get('cert');
    if (cert === undefined || cert === '') return [];
    const certificates = certificatesFromPem(percentDecoded(cert, `${name} Cert`), `${name} Cert`);
    if (certificates.length !== 1) {
      throw new ForwardedCertificateSyntaxError(`${name}: Cert holds ${certificates.length} certificates`);
    }
    return certificates;
  },
};

/** Splits on `separator` where it is not inside a double-quoted value. */
function splitOutsideQuotes(text: string, separator: ',' | ';', what: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted && char === '\\' && index + 1 < text.length) {
      current += char + text[index + 1];
      index += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (quoted) throw new ForwardedCertificateSyntaxError(`${what}: unterminated quoted value`);
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function unquoted(value: string, what: string): string {
  if (!value.startsWith('"')) {
    if (value.includes('"')) throw new ForwardedCertificateSyntaxError(`${what}: stray quote`);
    return value;
  }
  if (!value.endsWith('"') || value.length < 2) {
    throw new ForwardedCertificateSyntaxError(`${what}: unterminated quoted value`);
  }
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}
