import type { KeyValueStore } from '../../store/contract.js';
import type { ParsedCertificate } from '../certificate.js';
import { CrlClient, type CrlFetcher } from './crl-client.js';
import { OcspClient, type OcspObserver } from './ocsp-client.js';
import type { MethodOutcome } from './outcome.js';
import type {
  FailurePolicy,
  IssuerRevocationSettings,
  RevocationMethod,
  RevocationSettings,
} from './settings.js';

/**
 * The revocation step of a certificate decision: for the leaf (or every certificate of the
 * path, `scope: chain`), ask the profile's methods in order (OCSP then CRL by default) until
 * one gives a trustworthy answer, then apply the profile's failure policy.
 */

export type RevocationResult =
  | {
      ok: true;
      /** good: checked; soft_fail: no answer, let through by policy; not_checked: no source or disabled. */
      status: 'good' | 'soft_fail' | 'not_checked';
      /** Why, in words for the log and `inspect` (no personal data). */
      reason: string;
      method?: 'ocsp' | 'crl';
    }
  | {
      ok: false;
      code: 'CERT_REVOKED' | 'REVOCATION_UNKNOWN' | 'REVOCATION_UNAVAILABLE';
      detail: string;
      method?: 'ocsp' | 'crl';
    };

export interface RevocationLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RevocationCheckerOptions {
  settings: RevocationSettings;
  /** Shared cache of OCSP verdicts (memory or Redis). */
  store: KeyValueStore;
  logger?: RevocationLogger;
  /** Where CRLs come from; HTTP by default. */
  fetchCrl?: CrlFetcher;
  /** Responder latency and cache hits, for metrics. */
  observer?: OcspObserver;
}

interface PolicyForProfile {
  methods: readonly RevocationMethod[];
  onFailure: FailurePolicy;
}

export class RevocationChecker {
  readonly #settings: RevocationSettings;
  readonly #ocsp: OcspClient;
  readonly #crl: CrlClient;
  readonly #logger: RevocationLogger | undefined;
  readonly #issuers: Map<string, IssuerRevocationSettings>;

  constructor(options: RevocationCheckerOptions) {
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#ocsp = new OcspClient(options.settings, options.store, options.observer);
    this.#crl = new CrlClient(options.settings, {
      ...(options.fetchCrl ? { fetch: options.fetchCrl } : {}),
      onRefreshError: (url, error) =>
        this.#logger?.warn({ event: 'revocation.crl_refresh_failed', url, reason: error.message }, 'CRL refresh failed'),
    });
    this.#issuers = new Map(
      options.settings.issuers.map((issuer) => [issuer.spkiSha256.toLowerCase(), issuer]),
    );
  }

  /** The CRL side, for preloading and tests. */
  get crls(): CrlClient {
    return this.#crl;
  }

  policyFor(profile: string): PolicyForProfile {
    const override = this.#settings.profiles[profile];
    return {
      methods: override?.methods ?? this.#settings.methods,
      onFailure: override?.onFailure ?? this.#settings.onFailure,
    };
  }

  /**
   * @param path leaf first, ending with the certificate the anchor signed
   * @param anchor the trust anchor's certificate (issuer of the last one)
   */
  async check(
    path: readonly ParsedCertificate[],
    anchor: ParsedCertificate,
    profile: string,
    at: Date,
  ): Promise<RevocationResult> {
    const policy = this.policyFor(profile);
    if (policy.methods.length === 0) {
      return { ok: true, status: 'not_checked', reason: `revocation checking is off for ${profile}` };
    }
    const count = this.#settings.scope === 'chain' ? path.length : 1;
    const outcomes: MethodOutcome[] = [];
    for (let i = 0; i < count; i += 1) {
      const certificate = path[i]!;
      const issuer = path[i + 1] ?? anchor;
      const outcome = await this.checkOne(certificate, issuer, policy.methods, at);
      if (outcome.status === 'revoked') {
        return { ok: false, code: 'CERT_REVOKED', detail: describe(i, outcome), method: outcome.method };
      }
      if (outcome.status === 'unknown') {
        return { ok: false, code: 'REVOCATION_UNKNOWN', detail: describe(i, outcome), method: outcome.method };
      }
      outcomes.push(outcome);
    }

    const failed = outcomes.findIndex((outcome) => outcome.status === 'unavailable');
    if (failed !== -1) {
      const outcome = outcomes[failed]!;
      const detail = describe(failed, outcome);
      if (policy.onFailure === 'hard') {
        return { ok: false, code: 'REVOCATION_UNAVAILABLE', detail, method: outcome.method };
      }
      this.#logger?.warn(
        {
          event: 'revocation.soft_fail',
          profile,
          issuerSpkiSha256: (path[failed + 1] ?? anchor).spkiSha256,
          method: outcome.method,
          reason: outcome.detail,
        },
        'revocation unavailable; login allowed by the soft-fail policy',
      );
      return { ok: true, status: 'soft_fail', reason: detail, method: outcome.method };
    }
    const leaf = outcomes[0]!;
    if (leaf.status === 'no_source') {
      return { ok: true, status: 'not_checked', reason: 'the certificate names no OCSP responder or CRL' };
    }
    return { ok: true, status: 'good', reason: describe(0, leaf), method: leaf.method };
  }

  async close(): Promise<void> {
    await Promise.all([this.#ocsp.close(), this.#crl.close()]);
  }

  private async checkOne(
    certificate: ParsedCertificate,
    issuer: ParsedCertificate,
    methods: readonly RevocationMethod[],
    at: Date,
  ): Promise<MethodOutcome> {
    const issuerSettings = this.#issuers.get(issuer.spkiSha256);
    // A returning card: its verdict is in this process, no promise chain through the store.
    if (methods[0] === 'ocsp') {
      const cached = this.#ocsp.cachedLocally(certificate, issuer, at);
      if (cached) return cached;
    }
    let unavailable: MethodOutcome | undefined;
    let noSource: MethodOutcome | undefined;
    for (const method of methods) {
      const outcome =
        method === 'ocsp'
          ? await this.#ocsp.check(certificate, issuer, at, issuerSettings)
          : await this.#crl.check(certificate, issuer, at, issuerSettings);
      if (outcome.status === 'unavailable') {
        unavailable = unavailable
          ? { ...unavailable, detail: `${unavailable.detail}; then ${outcome.method}: ${outcome.detail}` }
          : outcome;
        continue;
      }
      if (outcome.status === 'no_source') {
        noSource ??= outcome;
        continue;
      }
      return outcome;
    }
    return unavailable ?? noSource ?? { status: 'no_source', method: methods[0]!, detail: 'no method' };
  }
}

function describe(position: number, outcome: MethodOutcome): string {
  const which = position === 0 ? 'leaf' : `certificate ${position} of the path`;
  return `${which}: ${outcome.method.toUpperCase()} ${outcome.status}: ${outcome.detail}`;
}
