import type { Context } from 'koa';
import { EidError } from '../../errors.js';
import type { InteractionDependencies } from './context.js';
import { loadInteraction } from './load-interaction.js';

/** POST /interaction/:uid/consent — the person allows the release listed on the page. */
export async function confirmConsent(ctx: Context, deps: InteractionDependencies): Promise<void> {
  const details = await loadInteraction(ctx, deps);
  if (details.prompt.name !== 'consent' || !details.session) {
    throw new EidError('INTERACTION_MISMATCH', 'interaction is not waiting for consent', {
      status: 403,
      detail: `interaction prompt is ${details.prompt.name}`,
    });
  }
  const { provider } = deps;
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId });
  if (!grant) {
    throw new EidError('INTERACTION_NOT_FOUND', 'grant of this interaction expired', {
      status: 403,
    });
  }
  const missing = details.prompt.details;
  const scopes = (missing.missingOIDCScope as string[] | undefined) ?? [];
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
  const claims = missing.missingOIDCClaims as string[] | undefined;
  if (claims && claims.length > 0) grant.addOIDCClaims(claims);
  const resourceScopes = missing.missingResourceScopes as Record<string, string[]> | undefined;
  for (const [indicator, scope] of Object.entries(resourceScopes ?? {})) {
    grant.addResourceScope(indicator, scope.join(' '));
  }
  const grantId = await grant.save();
  await deps.consents.remember(grant);

  const redirectTo = await provider.interactionResult(
    ctx.req,
    ctx.res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
  deps.events.emit(
    { name: 'consent.given', interaction: details.uid, client: clientId, scopes },
    ctx.state.requestId,
  );
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
