import type { KeyValueStore } from './contract.js';

interface Entry {
  value: string | Set<string>;
  expiresAtMs: number;
}

/**
 * The embedded default: everything lives in this process and is lost on restart.
 * Expired entries are dropped when read and by a periodic sweep, so memory stays bounded
 * by what is live.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #sweep: NodeJS.Timeout;

  constructor(sweepIntervalMs = 30_000) {
    this.#sweep = setInterval(() => this.#dropExpired(), sweepIntervalMs);
    this.#sweep.unref();
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#live(key);
    return typeof entry?.value === 'string' ? entry.value : undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#entries.set(key, { value, expiresAtMs: Date.now() + ttlSeconds * 1000 });
  }

  async take(key: string): Promise<string | undefined> {
    // Single-threaded: read and delete happen with no await in between, hence atomically.
    const entry = this.#live(key);
    this.#entries.delete(key);
    return typeof entry?.value === 'string' ? entry.value : undefined;
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const expiresAtMs = Date.now() + ttlSeconds * 1000;
    const entry = this.#live(key);
    if (entry && entry.value instanceof Set) {
      entry.value.add(member);
      entry.expiresAtMs = Math.max(entry.expiresAtMs, expiresAtMs);
      return;
    }
    this.#entries.set(key, { value: new Set([member]), expiresAtMs });
  }

  async takeSet(key: string): Promise<string[]> {
    const entry = this.#live(key);
    this.#entries.delete(key);
    return entry && entry.value instanceof Set ? [...entry.value] : [];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#entries.clear();
  }

  /** Number of live entries; for tests and the memory benchmark. */
  get size(): number {
    this.#dropExpired();
    return this.#entries.size;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #dropExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAtMs <= now) this.#entries.delete(key);
    }
  }
}
