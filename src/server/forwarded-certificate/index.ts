import { awsAlbParser } from './aws-alb.js';
import { envoyParser } from './envoy.js';
import { nginxParser } from './nginx.js';
import { rfc9440Parser } from './rfc9440.js';
import { traefikParser } from './traefik.js';
import type { ForwardedCertificateFormat, ForwardedCertificateParser } from './types.js';

export * from './types.js';

const PARSERS: Record<ForwardedCertificateFormat, ForwardedCertificateParser> = {
  nginx: nginxParser,
  envoy: envoyParser,
  traefik: traefikParser,
  rfc9440: rfc9440Parser,
  'aws-alb': awsAlbParser,
};

/** The parser of one forwarding format (one module per format beside this file). */
export function forwardedCertificateParser(format: ForwardedCertificateFormat): ForwardedCertificateParser {
  return PARSERS[format];
}
