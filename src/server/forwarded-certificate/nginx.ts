import { certificatesFromPem, percentDecoded } from './pem.js';
import type { ForwardedCertificateParser } from './types.js';

/**
 * nginx: `proxy_set_header <Name> $ssl_client_escaped_cert;` — the client's leaf certificate
 * as URL-encoded PEM. nginx has no variable with the rest of the chain the client sent, so
 * the IdP builds the path from its own intermediates (trust.yaml), as it does for browsers
 * that send the leaf only. The header name is the administrator's choice.
 */
export const DEFAULT_NGINX_HEADER = 'x-ssl-client-cert';

export const nginxParser: ForwardedCertificateParser = {
  format: 'nginx',
  headerNames: (configuredName) => [(configuredName ?? DEFAULT_NGINX_HEADER).toLowerCase()],
  parse(values, configuredName) {
    const name = (configuredName ?? DEFAULT_NGINX_HEADER).toLowerCase();
    const value = values.get(name);
    // nginx sends an empty value (or omits the header) when the client presented nothing.
    if (value === undefined || value.trim() === '' || value.trim() === '-') return [];
    return certificatesFromPem(percentDecoded(value.trim(), name), name);
  },
};
