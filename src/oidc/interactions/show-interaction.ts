import type { Context } from 'koa';
import { respondWithPage } from '../../pages/respond.js';
import { releasedClaims, scopesOfClient, type ReleaseRequest } from '../claims-release.js';
import type { LoginRecord } from '../login-record.js';
import { SCOPE_CLAIMS, SCOPES, type ScopeName } from '../scopes.js';
import { STEP_TOKEN_FIELD } from '../step-tokens.js';
import type { InteractionDependencies, InteractionDetails } from './context.js';
import { clientName, loadInteraction, relyingPartyOrigins } from './load-interaction.js';

/** GET /interaction/:uid — the login page ("insert your card") or the consent page. */
export async function showInteraction(ctx: Context, deps: InteractionDependencies): Promise<void> {
  const details = await loadInteraction(ctx, deps);
  const uid = details.uid;
  const common = {
    clientName: await clientName(deps, details),
    abortUrl: `/interaction/${uid}/abort`,
    uiLocales: details.params.ui_locales,
  };
  const formActionOrigins = relyingPartyOrigins(details);

  if (details.prompt.name === 'login') {
    // "Continue" posts the step token to the certificate origin; the form needs that origin
    // in form-action, and the relying party's for the redirects that end the login.
    respondWithPage(
      ctx,
      deps.pages,
      'login',
      {
        ...common,
        certificateUrl: `${deps.certificateOrigin}/interaction/${uid}/certificate`,
        stepTokenField: STEP_TOKEN_FIELD,
        stepToken: deps.stepTokens.issue(uid),
      },
      { formActionOrigins: [new URL(deps.certificateOrigin).origin, ...formActionOrigins] },
    );
    return;
  }

  const record = details.session?.uid
    ? await deps.loginRecords.findForSession(details.session.uid)
    : undefined;
  respondWithPage(
    ctx,
    deps.pages,
    'consent',
    {
      ...common,
      confirmUrl: `/interaction/${uid}/consent`,
      personName: record?.claims.name ?? '',
      items: await consentItems(deps, details, record),
    },
    { formActionOrigins },
  );
}

interface ConsentItem {
  scope: ScopeName;
  value: string | undefined;
  /** Wording other than `consent.scope.<scope>`. */
  messageKey?: string;
}

/**
 * Exactly what the relying party will receive, computed by the function the provider
 * releases claims with (claims-release.ts): each scope that yields a claim for this person,
 * with the value shown, so that consent is informed. Claims asked through the `claims`
 * parameter are listed under the scope they belong to.
 */
async function consentItems(
  deps: InteractionDependencies,
  details: InteractionDetails,
  record: LoginRecord | undefined,
): Promise<ConsentItem[]> {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  if (!record || !client) return [{ scope: 'openid', value: undefined }];
  const allowed = new Set<string>(scopesOfClient(client));
  const scope = String(details.params.scope ?? '')
    .split(' ')
    .filter((name) => allowed.has(name))
    .join(' ');
  const claimsRequest = parseClaimsParameter(details.params.claims);
  const released: Record<string, unknown> = {};
  for (const use of ['id_token', 'userinfo'] as const) {
    Object.assign(
      released,
      await releasedClaims(deps.provider, client, record, deps.mapping.current, {
        scope,
        claims: claimsRequest[use],
      }),
    );
  }
  // A public `sub` is the account id, the same for every public client: say so.
  const items: ConsentItem[] = [
    client.subjectType === 'public'
      ? { scope: 'openid', value: undefined, messageKey: 'consent.scope.openid.public' }
      : { scope: 'openid', value: undefined },
  ];
  for (const name of SCOPES) {
    if (name === 'openid') continue;
    const value = shownValue(name, released);
    if (value !== undefined) items.push({ scope: name, value });
  }
  return items;
}

type ClaimsParameter = Partial<Record<'id_token' | 'userinfo', ReleaseRequest['claims']>>;

/** oidc-provider has already validated the parameter; unreadable means none. */
function parseClaimsParameter(value: unknown): ClaimsParameter {
  if (typeof value !== 'string') return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ClaimsParameter) : {};
  } catch {
    return {};
  }
}

/** The words shown for one scope's released claims; undefined when it releases nothing. */
function shownValue(scope: ScopeName, released: Record<string, unknown>): string | undefined {
  const present = (SCOPE_CLAIMS[scope] as readonly string[]).filter(
    (claim) => released[claim] !== undefined,
  );
  if (present.length === 0) return undefined;
  if (scope === 'national_id') {
    const id = released.national_id as { value: string; country: string };
    return `${id.value} (${id.country})`;
  }
  if (scope === 'eid_certificate') {
    return String((released.eid_certificate as { issuer: string }).issuer);
  }
  if (scope === 'profile' && released.name !== undefined) return String(released.name);
  return present.map((claim) => String(released[claim])).join(' ');
}
