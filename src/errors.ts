/**
 * One error base for the whole product.
 *
 * Every refusal carries a stable `code` (for logs, metrics and the citizen's error page),
 * an HTTP `status`, whether its message may be shown (`expose`), and a private `detail`
 * that only ever reaches the log. Unexposed errors become a generic page at one choke
 * point (src/server/error-boundary.ts).
 */

/** Why a certificate or a login was refused. Stable: dashboards and tests key on these. */
export type RefusalCode =
  // no usable certificate
  | 'CERT_MISSING'
  | 'CERT_MALFORMED'
  // path validation
  | 'CHAIN_UNTRUSTED'
  | 'CHAIN_INVALID'
  | 'CHAIN_TOO_COMPLEX'
  | 'CERT_SIGNATURE_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_POLICY_MISMATCH'
  | 'CERT_NAME_CONSTRAINTS'
  | 'CERT_UNKNOWN_CRITICAL_EXTENSION'
  // leaf purpose and card profile
  | 'CERT_WRONG_USAGE'
  | 'CERT_SIGNATURE_ONLY'
  | 'PROFILE_NOT_FOUND'
  | 'IDENTIFIER_INVALID'
  // revocation
  | 'CERT_REVOKED'
  | 'REVOCATION_UNKNOWN'
  | 'REVOCATION_UNAVAILABLE';

/** Why a step of the login journey (not the certificate itself) failed. */
export type JourneyCode =
  | 'HANDLE_INVALID'
  | 'HANDLE_MISMATCH'
  | 'INTERACTION_NOT_FOUND'
  | 'INTERACTION_MISMATCH'
  | 'PROXY_UNTRUSTED'
  | 'PROXY_HEADER_REPEATED'
  | 'PROXY_HEADER_TOO_LARGE'
  | 'RATE_LIMITED'
  /** The certificate step was not posted from this interaction's login page. */
  | 'STEP_TOKEN_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

export type ErrorCode = RefusalCode | JourneyCode;

export interface EidErrorOptions {
  status?: number;
  /** Whether `message` may be shown to the person (it never contains personal data). */
  expose?: boolean;
  /** Technical detail for the log only; must not contain personal data. */
  detail?: string;
  cause?: unknown;
}

export class EidError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, options: EidErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'EidError';
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.detail = options.detail;
  }
}

/** A configuration problem, named by file, line and dotted setting path. */
export class ConfigError extends EidError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly setting: string | undefined;

  constructor(message: string, where: { file?: string; line?: number; setting?: string } = {}) {
    const place = [
      where.file,
      where.line === undefined ? undefined : `line ${where.line}`,
      where.setting,
    ].filter((part) => part !== undefined);
    super('CONFIG_INVALID', place.length > 0 ? `${place.join(': ')}: ${message}` : message, {
      status: 500,
      expose: false,
    });
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.setting = where.setting;
  }
}

/**
 * The state store (Redis) did not answer: down, unreachable or too slow. A 503 with the
 * "temporarily unavailable" page; the request may be retried once the store is back.
 * `statusCode` is what oidc-provider's own error handlers read, so an adapter failure inside
 * oidc-provider ends as a 503 too.
 */
export class StoreUnavailableError extends EidError {
  readonly statusCode = 503;

  constructor(detail: string, cause?: unknown) {
    super('STORE_UNAVAILABLE', 'the state store is unavailable', {
      status: 503,
      expose: false,
      detail,
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}

/** True when `error`, or an error in its `cause` chain, is a StoreUnavailableError. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof StoreUnavailableError) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
