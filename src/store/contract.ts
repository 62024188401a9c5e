/**
 * The one contract every state backend implements: the in-memory store (embedded default,
 * one process) and Redis (many processes). Values are strings (callers serialise); every
 * key expires. Keys are namespaced by the caller, e.g. `oidc:Session:<id>`,
 * `handle:<digest>`, `ocsp:<issuerKeyHash>:<serial>`.
 */
export interface KeyValueStore {
  /** Human-readable backend name for logs and health output ("memory", "redis"). */
  readonly kind: string;

  get(key: string): Promise<string | undefined>;

  /** Stores `value` under `key` for `ttlSeconds` (a positive whole number of seconds). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;

  /**
   * Atomically reads and deletes `key`: of any number of concurrent callers, at most one
   * receives the value. This is what makes one-time handles one-time.
   */
  take(key: string): Promise<string | undefined>;

  delete(...keys: string[]): Promise<void>;

  /** Adds `member` to the set at `key`, extending the set's lifetime to at least `ttlSeconds`. */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;

  /** Reads and deletes the whole set at `key` (used for grant-wide revocation). */
  takeSet(key: string): Promise<string[]>;

  /** Resolves when the backend answers; rejects with the reason otherwise. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
