import type Provider from 'oidc-provider';
import type { ClaimsParameterMember } from 'oidc-provider';
import { allowedClaims, type ClaimMapping } from '../identity/mapping-file.js';
import { RELEASABLE_CLAIMS, type ReleasableClaim } from '../identity/mapping-schema.js';
import type { LoginRecord } from './login-record.js';
import { SCOPES, type ScopeName } from './scopes.js';

/**
 * What one login releases to one client. The provider (ID token, userinfo), the consent
 * page and the admin preview all go through these functions, so what the person is shown,
 * what the administrator previews and what the relying party receives cannot disagree.
 */

/**
 * Claims that leave only under their own scope, even when a relying party asks for them
 * through the `claims` request parameter (DESIGN.md "Identity and privacy").
 */
export const SCOPE_GATED_CLAIMS: Readonly<Partial<Record<ReleasableClaim, ScopeName>>> = {
  national_id: 'national_id',
  birthdate: 'birthdate',
};

/** The per-client release rule taken from the mapping in force when the card was read. */
export interface ReleaseSnapshot {
  client: string;
  /** The claims the mapping let this client receive; undefined: not restricted. */
  claims: ReleasableClaim[] | undefined;
  /** Epoch milliseconds after which the mapping in force applies again. */
  until: number;
}

/**
 * How long a login keeps the rule it started with: its interaction's life plus one access
 * token's (userinfo calls follow the token exchange). Later sign-ins of the same session
 * (single sign-on) get the mapping in force, so a tightened rule is not outlived by sessions.
 */
export const RELEASE_SNAPSHOT_GRACE_MS = 600_000;

/**
 * Snapshot of the mapping's rule for the client of a login, kept with the login record so
 * that a mapping reload in the middle of a login cannot mix old profiles with new rules.
 */
export function releaseSnapshot(
  mapping: ClaimMapping,
  clientId: string,
  loginEndsAt: number = Date.now(),
): ReleaseSnapshot {
  const allowed = allowedClaims(mapping, clientId);
  return {
    client: clientId,
    claims: allowed ? [...allowed] : undefined,
    until: loginEndsAt + RELEASE_SNAPSHOT_GRACE_MS,
  };
}

/** The claims `clientId` may receive from this login; undefined when not restricted. */
function allowedFor(
  record: LoginRecord,
  clientId: string,
  mapping: ClaimMapping,
): ReadonlySet<string> | undefined {
  if (record.release?.client === clientId && Date.now() <= record.release.until) {
    return record.release.claims ? new Set(record.release.claims) : undefined;
  }
  return allowedClaims(mapping, clientId);
}

/**
 * The account's claims as offered to oidc-provider for one client and granted scope: the
 * mapping's per-client restriction applied, scope-gated claims removed without their
 * scope. oidc-provider then keeps only what the scope and the granted `claims` request ask.
 */
export function accountClaims(
  record: LoginRecord,
  clientId: string,
  mapping: ClaimMapping,
  scope: string,
): Record<string, unknown> {
  const granted = new Set(scope.split(' '));
  const allowed = allowedFor(record, clientId, mapping);
  const releasable = new Set<string>(RELEASABLE_CLAIMS);
  const claims: Record<string, unknown> = { sub: record.accountId };
  for (const [name, value] of Object.entries(record.claims)) {
    if (value === undefined) continue;
    // Claims outside the mapping's vocabulary are not its to restrict.
    if (releasable.has(name) && allowed && !allowed.has(name)) continue;
    const needed = SCOPE_GATED_CLAIMS[name as ReleasableClaim];
    if (needed && !granted.has(needed)) continue;
    claims[name] = value;
  }
  return claims;
}

export interface ReleaseRequest {
  /** Granted (or, for a preview, requested) scopes, space-separated. */
  scope: string;
  /** The `claims` request parameter member for this use (id_token or userinfo). */
  claims?: Record<string, null | ClaimsParameterMember> | undefined;
}

/**
 * Exactly what a client receives: oidc-provider's own Claims mask (scope, then `claims`
 * request) over `accountClaims`, with the pairwise `sub` it would compute.
 */
export async function releasedClaims(
  provider: Provider,
  client: InstanceType<Provider['Client']>,
  record: LoginRecord,
  mapping: ClaimMapping,
  request: ReleaseRequest,
): Promise<Record<string, unknown>> {
  const mask = new provider.Claims(accountClaims(record, client.clientId, mapping, request.scope), {
    client,
  });
  mask.scope(request.scope);
  if (request.claims) mask.mask(request.claims);
  return mask.result();
}

/** The scopes a client may be granted: its registered `scope`, else every scope we offer. */
export function scopesOfClient(client: InstanceType<Provider['Client']>): ScopeName[] {
  const registered =
    typeof client.scope === 'string' ? new Set(client.scope.split(' ')) : undefined;
  return SCOPES.filter((scope) => !registered || scope === 'openid' || registered.has(scope));
}
