import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { KeyValueStore } from '../store/contract.js';

/**
 * Consent is asked once per person and relying party, not once per browser session:
 * oidc-provider finds grants through the session only, so the grant given on the consent
 * page is also remembered under (account, client) for the grant's lifetime.
 */
export class RememberedConsent {
  readonly #store: KeyValueStore;
  readonly #ttlSeconds: number;

  constructor(store: KeyValueStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  async remember(accountId: string, clientId: string, grantId: string): Promise<void> {
    await this.#store.set(key(accountId, clientId), grantId, this.#ttlSeconds);
  }

  /** oidc-provider's `loadExistingGrant`: the session's grant, else the remembered one. */
  async load(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const client = ctx.oidc.client;
    const session = ctx.oidc.session;
    if (!client || !session) return undefined;
    const result = (ctx.oidc as { result?: { consent?: { grantId?: string } } }).result;
    const accountId = session.accountId;
    const grantId =
      result?.consent?.grantId ??
      session.grantIdFor(client.clientId) ??
      (accountId ? await this.#store.get(key(accountId, client.clientId)) : undefined);
    if (!grantId) return undefined;
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    // A remembered grant counts only for the account and client it was given by and to.
    if (!grant || grant.accountId !== accountId || grant.clientId !== client.clientId) {
      return undefined;
    }
    return grant;
  }
}

function key(accountId: string, clientId: string): string {
  return `consent:${accountId}:${clientId}`;
}
