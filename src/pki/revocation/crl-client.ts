import type { Dispatcher } from 'undici';
import type { ParsedCertificate } from '../certificate.js';
import type { CrlIndex } from './crl-index.js';
import { loadCrlInWorker } from './crl-loader.js';
import { crlVerdict } from './crl-verdict.js';
import { certificatePoints } from './distribution-points.js';
import { fetchBounded, revocationAgent, type HttpLimits } from './http-fetch.js';
import type { MethodOutcome } from './outcome.js';
import type { IssuerRevocationSettings, RevocationSettings } from './settings.js';

/** Gets the DER of a CRL from where it lives (HTTP by default; files for PKITS and tests). */
export type CrlFetcher = (url: string) => Promise<Uint8Array>;

interface Entry {
  current: CrlIndex | undefined;
  loading: Promise<CrlIndex> | undefined;
  refreshTimer: NodeJS.Timeout | undefined;
  lastError: string | undefined;
}

/**
 * CRLs by location: downloaded (size-bounded), parsed and verified in a worker, indexed, and
 * refreshed in the background before they expire so that no login waits for a download of a
 * CRL already known. The index lives in this process: a CRL is public, identical for every
 * instance and far too large for a shared cache entry, so each instance keeps its own.
 */
export class CrlClient {
  readonly #settings: RevocationSettings;
  readonly #fetch: CrlFetcher;
  readonly #agent: Dispatcher | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #onRefreshError: (url: string, error: Error) => void;
  readonly #minRefreshDelayMs: number;
  #closed = false;

  constructor(
    settings: RevocationSettings,
    options: {
      fetch?: CrlFetcher;
      onRefreshError?: (url: string, error: Error) => void;
      /** Floor of the refresh delay, so a CRL that is always about to expire cannot spin. */
      minRefreshDelayMs?: number;
    } = {},
  ) {
    this.#settings = settings;
    this.#onRefreshError = options.onRefreshError ?? (() => undefined);
    this.#minRefreshDelayMs = options.minRefreshDelayMs ?? 60_000;
    if (options.fetch) {
      this.#fetch = options.fetch;
    } else {
      const { crl } = settings;
      const limits: HttpLimits = {
        connectTimeoutMs: crl.connectTimeoutMs,
        readTimeoutMs: crl.readTimeoutMs,
        totalTimeoutMs: crl.totalTimeoutMs,
        maxBytes: crl.maxBytes,
      };
      const agent = revocationAgent(limits);
      this.#agent = agent;
      this.#fetch = (url) =>
        fetchBounded(url, { method: 'GET', accept: 'application/pkix-crl' }, limits, agent);
    }
  }

  /** Where the CRL of `leaf` is: configured URLs for its issuer, else its distribution points. */
  locations(leaf: ParsedCertificate, issuerSettings?: IssuerRevocationSettings): string[] {
    if (issuerSettings && issuerSettings.crlUrls.length > 0) return issuerSettings.crlUrls;
    // LIMITATION: indirect CRLs (a cRLIssuer other than the certificate's issuer) are not used.
    return [...new Set(certificatePoints(leaf).filter((p) => !p.hasCrlIssuer).flatMap((p) => p.urls))];
  }

  async check(
    leaf: ParsedCertificate,
    issuer: ParsedCertificate,
    at: Date,
    issuerSettings?: IssuerRevocationSettings,
  ): Promise<MethodOutcome> {
    const urls = this.locations(leaf, issuerSettings);
    if (urls.length === 0) return { status: 'no_source', method: 'crl', detail: 'no CRL location known' };

    const failures: string[] = [];
    for (const url of urls) {
      try {
        const entry = this.#entries.get(url);
        const known = entry?.current;
        const index =
          known && this.current(known, at)
            ? known
            : await this.waitFor(this.load(url, issuer), this.#settings.crl.firstLoadWaitMs);
        const verdict = crlVerdict(leaf, issuer, [index], at, {
          clockSkewMs: this.#settings.clockSkewSeconds * 1000,
          maxAgeWithoutNextUpdateMs: this.#settings.crl.maxAgeWithoutNextUpdateSeconds * 1000,
        });
        if (verdict.status === 'unavailable') {
          failures.push(verdict.detail);
          continue;
        }
        return {
          status: verdict.status,
          method: 'crl',
          source: url,
          cached: known === index,
          detail: `CRL ${verdict.status === 'revoked' ? 'lists' : 'does not list'} the certificate`,
        };
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
    }
    return { status: 'unavailable', method: 'crl', detail: failures.join('; ') };
  }

  /**
   * Loads (or returns the load in progress of) the CRL at `url`, signed by `issuer`.
   * The verified index replaces the previous one and a background refresh is scheduled.
   */
  load(url: string, issuer: ParsedCertificate): Promise<CrlIndex> {
    const entry = this.entry(url);
    if (entry.loading) return entry.loading;
    const loading = this.fetchAndIndex(url, issuer)
      .then((index) => {
        entry.current = index;
        entry.lastError = undefined;
        this.scheduleRefresh(url, issuer, index);
        return index;
      })
      .catch((error: Error) => {
        entry.lastError = error.message;
        throw error;
      })
      .finally(() => {
        entry.loading = undefined;
      });
    // The caller may stop waiting (firstLoadWaitMs); the load goes on and must not be unhandled.
    loading.catch(() => undefined);
    entry.loading = loading;
    return loading;
  }

  /** Stops background refreshes and closes connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.refreshTimer);
    await this.#agent?.close();
  }

  private entry(url: string): Entry {
    let entry = this.#entries.get(url);
    if (!entry) {
      entry = { current: undefined, loading: undefined, refreshTimer: undefined, lastError: undefined };
      this.#entries.set(url, entry);
    }
    return entry;
  }

  private async fetchAndIndex(url: string, issuer: ParsedCertificate): Promise<CrlIndex> {
    const der = await this.#fetch(url);
    if (der.length > this.#settings.crl.maxBytes) {
      throw new Error(`CRL of ${der.length} bytes exceeds crl.maxBytes`);
    }
    const { index, signerIndex } = await loadCrlInWorker(der, {
      signerSpkis: [issuer.spkiDer],
      workerHeapMb: this.#settings.crl.workerHeapMb,
      source: url,
      // Our own download is ours to give away; a caller's fetcher may keep its bytes.
      transfer: this.#agent !== undefined,
    });
    if (signerIndex !== 0) throw new Error('the CRL signature does not verify with the issuing CA key');
    if (index.header.issuerKey !== issuer.subjectKey) throw new Error('the CRL is from another issuer');
    return index;
  }

  private scheduleRefresh(url: string, issuer: ParsedCertificate, index: CrlIndex): void {
    const entry = this.entry(url);
    clearTimeout(entry.refreshTimer);
    if (this.#closed) return;
    const { nextUpdate, thisUpdate } = index.header;
    const expires = nextUpdate?.getTime() ?? thisUpdate.getTime() + this.#settings.crl.maxAgeWithoutNextUpdateSeconds * 1000;
    // Before expiry by refreshAheadSeconds, but never in a tight loop.
    const delay = Math.max(this.#minRefreshDelayMs, expires - this.#settings.crl.refreshAheadSeconds * 1000 - Date.now());
    entry.refreshTimer = setTimeout(() => {
      this.load(url, issuer).catch((error: Error) => {
        this.#onRefreshError(url, error);
        // Try again in a minute while the current one is still in use.
        if (this.#closed) return;
        const retry = () => this.scheduleRefresh(url, issuer, index);
        entry.refreshTimer = setTimeout(retry, this.#minRefreshDelayMs).unref();
      });
    }, Math.min(delay, 2 ** 31 - 1));
    entry.refreshTimer.unref();
  }

  /** Whether the index in memory is still current at `at` (else a new download is awaited). */
  private current(index: CrlIndex, at: Date): boolean {
    const skew = this.#settings.clockSkewSeconds * 1000;
    return index.isFreshAt(at, skew, this.#settings.crl.maxAgeWithoutNextUpdateSeconds * 1000);
  }

  private async waitFor<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`CRL still loading after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
