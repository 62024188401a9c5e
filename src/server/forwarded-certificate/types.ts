/**
 * What a reverse proxy that terminated the citizen's TLS connection tells us about the
 * certificate it received. Parsers only undo the header's transport encoding (URL-encoded
 * PEM, base64, structured-field byte sequences); whether the bytes are a certificate, and a
 * trusted one, is decided afterwards by decideCertificate, exactly as for a direct handshake.
 */
export type ForwardedCertificateFormat = 'nginx' | 'envoy' | 'traefik' | 'rfc9440' | 'aws-alb';

export const FORWARDED_CERTIFICATE_FORMATS: readonly ForwardedCertificateFormat[] = [
  'nginx',
  'envoy',
  'traefik',
  'rfc9440',
  'aws-alb',
];

/** Header values of one request, by lower-case name; a name present twice was refused before. */
export type ForwardedHeaderValues = ReadonlyMap<string, string>;

export interface ForwardedCertificateParser {
  format: ForwardedCertificateFormat;
  /** The header names this format reads (lower case). The first is the one that must be present. */
  headerNames(configuredName?: string): string[];
  /** Leaf first, as DER. Empty: the proxy says the client sent no certificate. Throws on bad input. */
  parse(values: ForwardedHeaderValues, configuredName?: string): Uint8Array[];
}

/** The header does not hold what its format promises; the message names what is wrong, never content. */
export class ForwardedCertificateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardedCertificateSyntaxError';
  }
}
