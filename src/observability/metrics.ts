import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { LoginEvents } from './events.js';

/**
 * Prometheus metrics of one IdP instance (docs/operations/metrics.md). One registry per
 * instance, not prom-client's global one, so that several IdPs in one process (tests) keep
 * their numbers apart. Labels hold codes and profile names only, never anything about a
 * person.
 *
 * API for other modules (all cheap, synchronous, never throw):
 *  - observeCertificateValidation(seconds, outcome): around decideCertificate (start-idp.ts)
 *  - observeOcsp(seconds, outcome) or timeOcsp(fn): around one OCSP request (revocation)
 *  - countCacheLookup(cache, hit): OCSP/CRL/path caches; the hit ratio is
 *      rate(eid_idp_cache_lookups_total{result="hit"}) / rate(eid_idp_cache_lookups_total)
 *  - countStoreError(operation): every failed store command (createStore's onRedisError, start.ts)
 *  - recordLoginEvents(events): logins and certificate decisions from LoginEvents
 */
export class IdpMetrics {
  readonly registry = new Registry();
  readonly #logins: Counter<'outcome' | 'profile' | 'code'>;
  readonly #certificates: Counter<'outcome' | 'profile' | 'code' | 'source'>;
  readonly #validation: Histogram<'outcome'>;
  readonly #ocsp: Histogram<'outcome'>;
  readonly #cache: Counter<'cache' | 'result'>;
  readonly #storeErrors: Counter<'operation'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#logins = new Counter({
      name: 'eid_idp_logins_total',
      help: 'Login attempts by outcome (succeeded, refused: certificate refused, consent_refused, failed), card profile and refusal code',
      labelNames: ['outcome', 'profile', 'code'],
      registers,
    });
    this.#certificates = new Counter({
      name: 'eid_idp_certificate_decisions_total',
      help: 'Certificates presented on the certificate route, by outcome, profile, refusal code and source (tls, proxy:<format>)',
      labelNames: ['outcome', 'profile', 'code', 'source'],
      registers,
    });
    this.#validation = new Histogram({
      name: 'eid_idp_certificate_validation_seconds',
      help: 'Time to decide on a presented certificate chain (path validation, profile, revocation)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#ocsp = new Histogram({
      name: 'eid_idp_ocsp_request_seconds',
      help: 'Time of one OCSP request to a responder, by outcome (good, revoked, unknown, error)',
      labelNames: ['outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.#cache = new Counter({
      name: 'eid_idp_cache_lookups_total',
      help: 'Cache lookups by cache (ocsp, crl, …) and result (hit, miss)',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.#storeErrors = new Counter({
      name: 'eid_idp_store_errors_total',
      help: 'Failed operations on the state store (Redis), by operation',
      labelNames: ['operation'],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'eid_idp_' });
  }

  observeCertificateValidation(seconds: number, outcome: 'accepted' | 'refused' | 'error'): void {
    this.#validation.observe({ outcome }, seconds);
  }

  observeOcsp(seconds: number, outcome: 'good' | 'revoked' | 'unknown' | 'error'): void {
    this.#ocsp.observe({ outcome }, seconds);
  }

  /** Times `request`; its outcome label comes from `outcomeOf(result)`, `error` when it throws. */
  async timeOcsp<T>(
    request: () => Promise<T>,
    outcomeOf: (result: T) => 'good' | 'revoked' | 'unknown' | 'error',
  ): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      const result = await request();
      this.observeOcsp(secondsSince(started), outcomeOf(result));
      return result;
    } catch (error) {
      this.observeOcsp(secondsSince(started), 'error');
      throw error;
    }
  }

  countCacheLookup(cache: string, hit: boolean): void {
    this.#cache.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  countStoreError(operation: string): void {
    this.#storeErrors.inc({ operation });
  }

  /** Login and certificate counters follow the login events (src/observability/events.ts). */
  recordLoginEvents(events: LoginEvents): void {
    events.subscribe((event) => {
      switch (event.name) {
        case 'login.succeeded':
          this.#logins.inc({ outcome: 'succeeded', profile: event.profile, code: '' });
          break;
        case 'login.failed':
          this.#logins.inc({ outcome: 'failed', profile: '', code: event.code });
          break;
        case 'certificate.accepted':
          this.#certificates.inc({ outcome: 'accepted', profile: event.profile, code: '', source: sourceOf(event) });
          break;
        case 'certificate.refused':
          // A refused certificate ends that login attempt: counted as a login refused, by code.
          this.#logins.inc({ outcome: 'refused', profile: '', code: event.code });
          this.#certificates.inc({ outcome: 'refused', profile: '', code: event.code, source: sourceOf(event) });
          break;
        case 'consent.refused':
          this.#logins.inc({ outcome: 'consent_refused', profile: '', code: '' });
          break;
        default:
          break;
      }
    });
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function sourceOf(event: { source: string }): string {
  return event.source;
}

export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
