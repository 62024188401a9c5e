import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { KeyValueStore } from '../store/contract.js';

/** What a person allowed a relying party: the scopes and claims of the consent page. */
interface ConsentDecision {
  scope: string;
  claims: string[];
}

/**
 * Consent is asked once per person and relying party, not once per browser session.
 * oidc-provider finds grants through the session only, and signing out revokes the
 * session's grants (and every token issued under them), as it should. The person's decision
 * is a different thing from those grants: it is remembered here under (account, client)
 * and, in a later session, becomes a new grant with the same scopes and claims. A request
 * for more than was allowed still shows the consent page for the difference.
 */
export class RememberedConsent {
  readonly #store: KeyValueStore;
  readonly #ttlSeconds: number;

  constructor(store: KeyValueStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  /** Called with the grant just saved on the consent page (it holds every consent so far). */
  async remember(grant: Grant): Promise<void> {
    if (!grant.accountId || !grant.clientId) return;
    const decision: ConsentDecision = {
      scope: grant.getOIDCScope(),
      claims: grant.getOIDCClaims(),
    };
    await this.#store.set(
      key(grant.accountId, grant.clientId),
      JSON.stringify(decision),
      this.#ttlSeconds,
    );
  }

  /** oidc-provider's `loadExistingGrant`: the session's grant, else the remembered decision. */
  async load(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const { client, session, provider } = ctx.oidc;
    if (!client || !session) return undefined;
    const result = (ctx.oidc as { result?: { consent?: { grantId?: string } } }).result;
    const accountId = session.accountId;
    const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    if (grantId) {
      const grant = await provider.Grant.find(grantId);
      if (grant && grant.accountId === accountId && grant.clientId === client.clientId) {
        return grant;
      }
    }
    if (!accountId) return undefined;
    const remembered = await this.#store.get(key(accountId, client.clientId));
    if (remembered === undefined) return undefined;
    const decision = JSON.parse(remembered) as ConsentDecision;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    if (decision.scope) grant.addOIDCScope(decision.scope);
    if (decision.claims.length > 0) grant.addOIDCClaims(decision.claims);
    await grant.save();
    return grant;
  }
}

function key(accountId: string, clientId: string): string {
  return `consent:${accountId}:${clientId}`;
}
