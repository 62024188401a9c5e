import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Personal data never reaches them: callers log pseudonyms
 * (see pseudonym.ts), and these paths are redacted as a second line of defence in case a
 * whole object is logged by mistake.
 */
const REDACTED_PATHS = [
  'claims',
  '*.claims',
  'given_name',
  'family_name',
  'name',
  'national_id',
  'birthdate',
  'pem',
  '*.pem',
  'der',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["ssl-client-cert"]',
  'req.headers["x-forwarded-client-cert"]',
  'req.headers["client-cert"]',
  // Every forwarded-certificate header of src/server/forwarded-certificate/.
  'req.headers["x-ssl-client-cert"]',
  'req.headers["client-cert-chain"]',
  'req.headers["x-forwarded-tls-client-cert"]',
  'req.headers["x-amzn-mtls-clientcert"]',
  'handle',
  'authorizationCode',
  'access_token',
  'id_token',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'eid-idp' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? process.stdout,
  );
}
