import type { KeyValueStore } from '../../store/contract.js';
import { BoundedCache } from '../bounded-cache.js';

/**
 * Verified OCSP verdicts, in two levels: a small in-process map (a returning card costs one
 * Map lookup) and the shared KeyValueStore (memory, or Redis shared by every instance), under
 * `ocsp:<issuerKeyHash>:<serial>`. What is cached is the verdict of a response this process
 * or a sibling already verified; the store is trusted like it is for sessions.
 */

export interface CachedStatus {
  status: 'good' | 'revoked' | 'unknown';
  /** Epoch ms. */
  thisUpdate: number;
  /** Epoch ms: the end of the window in which the verdict holds. */
  validUntil: number;
  /** Epoch ms: when this entry stops being used (≤ validUntil, bounded by the max age). */
  expiresAt: number;
  revokedAt?: number;
  method: 'ocsp';
}

const LOCAL_ENTRIES = 50_000;

export class StatusCache {
  readonly #store: KeyValueStore;
  readonly #local = new BoundedCache<string, CachedStatus>(LOCAL_ENTRIES);

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** The in-process entry only: synchronous, for the hot path. */
  local(key: string, nowMs: number): CachedStatus | undefined {
    const entry = this.#local.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > nowMs) return entry;
    this.#local.delete(key);
    return undefined;
  }

  async get(key: string, nowMs: number): Promise<CachedStatus | undefined> {
    const local = this.local(key, nowMs);
    if (local) return local;

    const text = await this.#store.get(key);
    if (text === undefined) return undefined;
    const shared = parse(text);
    if (!shared || shared.expiresAt <= nowMs) return undefined;
    this.#local.set(key, shared);
    return shared;
  }

  async set(key: string, entry: CachedStatus, nowMs: number): Promise<void> {
    const ttlSeconds = Math.ceil((entry.expiresAt - nowMs) / 1000);
    if (ttlSeconds <= 0) return;
    this.#local.set(key, entry);
    await this.#store.set(key, JSON.stringify(entry), ttlSeconds);
  }
}

function parse(text: string): CachedStatus | undefined {
  try {
    const value = JSON.parse(text) as Partial<CachedStatus>;
    const statusOk = value.status === 'good' || value.status === 'revoked' || value.status === 'unknown';
    const numbers = [value.thisUpdate, value.validUntil, value.expiresAt].every(
      (n) => typeof n === 'number' && Number.isFinite(n),
    );
    return statusOk && numbers ? (value as CachedStatus) : undefined;
  } catch {
    return undefined;
  }
}
