/** What one revocation method said about one certificate. */
export type MethodOutcome =
  | {
      status: 'good' | 'revoked' | 'unknown';
      method: 'ocsp' | 'crl';
      /** Responder URL or CRL location. */
      source: string;
      /** Answered from a cache. */
      cached: boolean;
      detail: string;
    }
  | {
      /** No answer that could be trusted (timeout, garbage, bad signature, stale…). */
      status: 'unavailable';
      method: 'ocsp' | 'crl';
      detail: string;
    }
  | {
      /** The certificate names no responder or CRL, and none is configured for its issuer. */
      status: 'no_source';
      method: 'ocsp' | 'crl';
      detail: string;
    };
