import type { Context } from 'koa';
import type { InteractionDependencies } from './context.js';
import { loadInteraction } from './load-interaction.js';

/** POST /interaction/:uid/abort — the person cancels; the relying party gets access_denied. */
export async function abortInteraction(ctx: Context, deps: InteractionDependencies): Promise<void> {
  const details = await loadInteraction(ctx, deps);
  const redirectTo = await deps.provider.interactionResult(
    ctx.req,
    ctx.res,
    { error: 'access_denied', error_description: 'the person cancelled the sign-in' },
    { mergeWithLastSubmission: false },
  );
  deps.events.emit(
    { name: 'consent.refused', interaction: details.uid, client: String(details.params.client_id) },
    ctx.state.requestId,
  );
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
