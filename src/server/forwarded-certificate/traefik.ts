import { bytesFromBase64, percentDecoded } from './pem.js';
import { ForwardedCertificateSyntaxError, type ForwardedCertificateParser } from './types.js';

/**
 * Traefik's passTLSClientCert middleware with `pem: true`: `X-Forwarded-Tls-Client-Cert` holds
 * each certificate of the client's chain as base64 DER without the PEM armour and line
 * breaks, query-escaped, the certificates separated by commas (leaf first).
 */
export const TRAEFIK_HEADER = 'x-forwarded-tls-client-cert';

export const traefikParser: ForwardedCertificateParser = {
  format: 'traefik',
  headerNames: (configuredName) => [(configuredName ?? TRAEFIK_HEADER).toLowerCase()],
  parse(values, configuredName) {
    const name = (configuredName ?? TRAEFIK_HEADER).toLowerCase();
    const value = values.get(name);
    if (value === undefined || value.trim() === '') return [];
    return value.split(',').map((part, index) => {
      const text = percentDecoded(part.trim(), `${name}[${index}]`);
      if (text.includes('-----')) {
        throw new ForwardedCertificateSyntaxError(`${name}[${index}]: PEM armour where base64 DER was expected`);
      }
      return bytesFromBase64(text, `${name}[${index}]`);
    });
  },
};
