import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { KeyValueStore } from '../../store/contract.js';
import type { ParsedCertificate } from '../certificate.js';
import { certIdFor, statusCacheKey } from './cert-id.js';
import { ocspUrls } from './distribution-points.js';
import { fetchBounded, RevocationFetchError, revocationAgent, type HttpLimits } from './http-fetch.js';
import { buildOcspRequest } from './ocsp-request.js';
import { verifyOcspResponse, type OcspVerdict } from './ocsp-response.js';
import type { MethodOutcome } from './outcome.js';
import type { IssuerRevocationSettings, RevocationSettings } from './settings.js';
import { StatusCache, type CachedStatus } from './status-cache.js';

/**
 * Asks OCSP responders about one certificate: the issuer's configured responder or the
 * certificate's AIA URL, then the configured fallbacks, each bounded in time. Verified
 * verdicts are cached until nextUpdate (bounded by a maximum age) in process and in the
 * shared store; concurrent logins with the same card share one request.
 */
/**
 * What the operator watches (src/observability/metrics.ts implements it): the time and
 * outcome of each exchange with a responder, and whether a verdict came from a cache.
 */
export interface OcspObserver {
  responderAnswered(seconds: number, outcome: 'good' | 'revoked' | 'unknown' | 'error'): void;
  cacheLookup(cache: 'ocsp_local' | 'ocsp_shared', hit: boolean): void;
}

export class OcspClient {
  readonly #observer: OcspObserver | undefined;
  readonly #settings: RevocationSettings;
  readonly #cache: StatusCache;
  readonly #limits: HttpLimits;
  readonly #agent: Dispatcher;
  readonly #inFlight = new Map<string, Promise<MethodOutcome>>();
  /** Responders that timed out or refused connections, by URL: skipped until this epoch ms. */
  readonly #downUntil = new Map<string, number>();

  constructor(settings: RevocationSettings, store: KeyValueStore, observer?: OcspObserver) {
    this.#observer = observer;
    this.#settings = settings;
    this.#cache = new StatusCache(store);
    const { ocsp } = settings;
    this.#limits = {
      connectTimeoutMs: ocsp.connectTimeoutMs,
      readTimeoutMs: ocsp.readTimeoutMs,
      totalTimeoutMs: ocsp.totalTimeoutMs,
      maxBytes: ocsp.maxResponseBytes,
    };
    this.#agent = revocationAgent(this.#limits);
  }

  /** The responders to ask, in order. */
  responders(leaf: ParsedCertificate, issuerSettings?: IssuerRevocationSettings): string[] {
    const primary = issuerSettings?.ocspUrl ? [issuerSettings.ocspUrl] : ocspUrls(leaf);
    return [...new Set([...primary, ...(issuerSettings?.ocspFallbackUrls ?? [])])];
  }

  /** A cached verdict valid at `at`, without any I/O (the hot path of a returning card). */
  cachedLocally(leaf: ParsedCertificate, issuer: ParsedCertificate, at: Date): MethodOutcome | undefined {
    const key = statusCacheKey(certIdFor(leaf, issuer));
    const entry = this.#cache.local(key, Date.now());
    const hit = entry !== undefined && this.covers(entry, at);
    this.#observer?.cacheLookup('ocsp_local', hit);
    return hit ? fromCache(entry, key) : undefined;
  }

  async check(
    leaf: ParsedCertificate,
    issuer: ParsedCertificate,
    at: Date,
    issuerSettings?: IssuerRevocationSettings,
  ): Promise<MethodOutcome> {
    const id = certIdFor(leaf, issuer);
    const key = statusCacheKey(id);
    const cached = await this.#cache.get(key, Date.now()).catch(() => undefined);
    const hit = cached !== undefined && this.covers(cached, at);
    this.#observer?.cacheLookup('ocsp_shared', hit);
    if (hit) return fromCache(cached, key);

    const urls = this.responders(leaf, issuerSettings);
    if (urls.length === 0) {
      return { status: 'no_source', method: 'ocsp', detail: 'no OCSP responder known' };
    }
    const flightKey = `${key}@${at.getTime()}`;
    const running = this.#inFlight.get(flightKey);
    if (running) return running;
    const asking = this.ask(urls, leaf, issuer, at, key).finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, asking);
    return asking;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  private async ask(
    urls: string[],
    leaf: ParsedCertificate,
    issuer: ParsedCertificate,
    at: Date,
    key: string,
  ): Promise<MethodOutcome> {
    const id = certIdFor(leaf, issuer);
    const failures: string[] = [];
    for (const url of urls) {
      const downUntil = this.#downUntil.get(url) ?? 0;
      if (downUntil > Date.now()) {
        failures.push(`${url}: skipped after a recent failure (responderBackoffSeconds)`);
        continue;
      }
      const nonce = this.#settings.ocsp.nonce ? randomBytes(16) : undefined;
      const started = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const body = await fetchBounded(
          url,
          {
            method: 'POST',
            body: buildOcspRequest(id, nonce),
            contentType: 'application/ocsp-request',
            accept: 'application/ocsp-response',
          },
          this.#limits,
          this.#agent,
        );
        const verdict = verifyOcspResponse(body, {
          id,
          issuer,
          at,
          clockSkewMs: this.#settings.clockSkewSeconds * 1000,
          maxAgeWithoutNextUpdateMs: this.#settings.ocsp.maxAgeWithoutNextUpdateSeconds * 1000,
          nonce,
        });
        this.#observer?.responderAnswered(elapsed(), verdict.status);
        await this.remember(key, verdict).catch(() => undefined);
        return {
          status: verdict.status,
          method: 'ocsp',
          source: url,
          cached: false,
          detail: `OCSP ${verdict.status}, signed by the ${verdict.signer === 'issuer' ? 'CA' : 'designated responder'}`,
        };
      } catch (error) {
        this.#observer?.responderAnswered(elapsed(), 'error');
        failures.push(`${url}: ${(error as Error).message}`);
        const unreachable =
          error instanceof RevocationFetchError && (error.failure === 'timeout' || error.failure === 'network');
        const backoffMs = this.#settings.ocsp.responderBackoffSeconds * 1000;
        if (unreachable && backoffMs > 0) this.#downUntil.set(url, Date.now() + backoffMs);
      }
    }
    return { status: 'unavailable', method: 'ocsp', detail: failures.join('; ') };
  }

  private covers(entry: CachedStatus, at: Date): boolean {
    const skew = this.#settings.clockSkewSeconds * 1000;
    const time = at.getTime();
    return entry.thisUpdate - skew <= time && time <= entry.validUntil + skew;
  }

  private async remember(key: string, verdict: OcspVerdict): Promise<void> {
    const now = Date.now();
    const validUntil = verdict.nextUpdate
      ? verdict.nextUpdate.getTime()
      : verdict.thisUpdate.getTime() + this.#settings.ocsp.maxAgeWithoutNextUpdateSeconds * 1000;
    const expiresAt = Math.min(validUntil, now + this.#settings.ocsp.cacheMaxAgeSeconds * 1000);
    const entry: CachedStatus = {
      status: verdict.status,
      thisUpdate: verdict.thisUpdate.getTime(),
      validUntil,
      expiresAt,
      method: 'ocsp',
    };
    if (verdict.revokedAt) entry.revokedAt = verdict.revokedAt.getTime();
    await this.#cache.set(key, entry, now);
  }
}

function fromCache(entry: CachedStatus, key: string): MethodOutcome {
  return {
    status: entry.status,
    method: 'ocsp',
    source: key,
    cached: true,
    detail: `OCSP ${entry.status} (cached)`,
  };
}
