import type { Context } from 'koa';
import { restrictClaims } from '../../identity/mapping-file.js';
import type { MappingRegistry } from '../../identity/mapping-registry.js';
import { respondWithPage } from '../../pages/respond.js';
import type { LoginRecord } from '../login-record.js';
import { SCOPE_CLAIMS, type ScopeName } from '../scopes.js';
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
    respondWithPage(
      ctx,
      deps.pages,
      'login',
      { ...common, certificateUrl: `${deps.certificateOrigin}/interaction/${uid}/certificate` },
      { formActionOrigins },
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
      items: consentItems(details, record, deps.mapping),
    },
    { formActionOrigins },
  );
}

interface ConsentItem {
  scope: ScopeName;
  value: string | undefined;
}

/**
 * Exactly what the relying party will receive: each requested scope that yields a claim
 * for this person, with the value shown, so that consent is informed.
 */
function consentItems(
  details: InteractionDetails,
  record: LoginRecord | undefined,
  mapping: MappingRegistry,
): ConsentItem[] {
  const requested = new Set(String(details.params.scope ?? '').split(' '));
  const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
  const scopes = (Object.keys(SCOPE_CLAIMS) as ScopeName[]).filter(
    (scope) => requested.has(scope) && (missing.includes(scope) || scope === 'openid'),
  );
  const clientId = String(details.params.client_id);
  const claims = record
    ? restrictClaims(mapping.current, clientId, record.claims)
    : undefined;
  const items: ConsentItem[] = [];
  for (const scope of scopes) {
    if (scope === 'openid') {
      items.push({ scope, value: undefined });
    } else if (scope === 'profile' && claims?.name) {
      items.push({ scope, value: claims.name });
    } else if (scope === 'birthdate' && claims?.birthdate) {
      items.push({ scope, value: claims.birthdate });
    } else if (scope === 'national_id' && claims?.national_id) {
      items.push({ scope, value: `${claims.national_id.value} (${claims.national_id.country})` });
    } else if (scope === 'eid_certificate' && claims?.eid_certificate) {
      items.push({ scope, value: claims.eid_certificate.issuer });
    }
  }
  return items;
}
