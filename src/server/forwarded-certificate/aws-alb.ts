import { certificatesFromPem, percentDecoded } from './pem.js';
import type { ForwardedCertificateParser } from './types.js';

/**
 * AWS Application Load Balancer in mTLS "verify" or "passthrough" mode:
 * `X-Amzn-Mtls-Clientcert` holds the whole chain the client sent, leaf first, as URL-encoded
 * PEM in which `+`, `=` and `/` are left as they are.
 */
export const AWS_ALB_HEADER = 'x-amzn-mtls-clientcert';

export const awsAlbParser: ForwardedCertificateParser = {
  format: 'aws-alb',
  headerNames: (configuredName) => [(configuredName ?? AWS_ALB_HEADER).toLowerCase()],
  parse(values, configuredName) {
    const name = (configuredName ?? AWS_ALB_HEADER).toLowerCase();
    const value = values.get(name);
    if (value === undefined || value.trim() === '') return [];
    return certificatesFromPem(percentDecoded(value.trim(), name), name);
  },
};
