import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { KeyValueStore } from '../store/contract.js';

/**
 * The artifacts a grant revocation destroys: what was issued under the grant. An
 * Interaction also carries the grantId of an earlier consent, but signing the previous
 * person out (a revocation) must not destroy the login in progress that caused it.
 */
const GRANT_BOUND_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'ClientCredentials',
]);

/**
 * Artifacts that are used once. oidc-provider checks `consumed`, then calls consume(): two
 * token requests with one code at the same instant would both pass the check. Each such
 * artifact gets a one-time marker at creation, and consume() takes it atomically: the
 * second consumer finds no marker and is refused, and the grant is revoked as for any
 * replayed code (RFC 6749 section 4.1.2).
 */
const ONE_TIME_MODELS = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/**
 * oidc-provider's persistence on our KeyValueStore contract, so that sessions, interactions,
 * grants, codes and tokens live in memory or in Redis with nothing else changing.
 * Every artifact expires with its own lifetime; the grant index lets a grant revoke every
 * token issued under it.
 */
export class StoreAdapter implements Adapter {
  readonly #store: KeyValueStore;
  readonly #model: string;

  constructor(store: KeyValueStore, model: string) {
    this.#store = store;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const ttlSeconds = Math.max(1, Math.ceil(expiresIn));
    const key = this.#key(id);
    await this.#store.set(key, JSON.stringify(payload), ttlSeconds);
    if (payload.grantId && GRANT_BOUND_MODELS.has(this.#model)) {
      await this.#store.addToSet(grantIndexKey(payload.grantId), key, ttlSeconds);
    }
    if (payload.uid) await this.#store.set(this.#key(`uid:${payload.uid}`), id, ttlSeconds);
    if (payload.userCode) {
      await this.#store.set(this.#key(`userCode:${payload.userCode}`), id, ttlSeconds);
    }
    if (ONE_TIME_MODELS.has(this.#model) && !payload.consumed) {
      await this.#store.set(this.#key(`unconsumed:${id}`), '1', ttlSeconds);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const text = await this.#store.get(this.#key(id));
    return text === undefined ? undefined : (JSON.parse(text) as AdapterPayload);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.#store.get(this.#key(`uid:${uid}`));
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.#store.get(this.#key(`userCode:${userCode}`));
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const oneTime = ONE_TIME_MODELS.has(this.#model);
    // The marker first: whoever takes it is the one consumer. Reading the payload first
    // would let a request slip through after a concurrent replay had revoked (deleted) it.
    if (oneTime && (await this.#store.take(this.#key(`unconsumed:${id}`))) === undefined) {
      const replayed = await this.find(id);
      if (replayed?.grantId) await this.revokeByGrantId(replayed.grantId);
      throw new errors.InvalidGrant(`${this.#model} already consumed`);
    }
    const payload = await this.find(id);
    if (!payload) {
      if (oneTime) throw new errors.InvalidGrant(`${this.#model} no longer valid`);
      return;
    }
    const nowSeconds = Math.floor(Date.now() / 1000);
    const remainingSeconds = payload.exp ? payload.exp - nowSeconds : 60;
    if (remainingSeconds <= 0) return;
    payload.consumed = nowSeconds;
    await this.#store.set(this.#key(id), JSON.stringify(payload), remainingSeconds);
  }

  async destroy(id: string): Promise<void> {
    await this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const keys = await this.#store.takeSet(grantIndexKey(grantId));
    if (keys.length > 0) await this.#store.delete(...keys);
  }

  #key(id: string): string {
    return `oidc:${this.#model}:${id}`;
  }
}

function grantIndexKey(grantId: string): string {
  return `oidc:grant-index:${grantId}`;
}
