import type { Context } from 'koa';
import { EidError } from '../../errors.js';
import { LOGIN_RECORD_RESULT_KEY } from '../provider.js';
import type { InteractionDependencies } from './context.js';
import { loadInteraction } from './load-interaction.js';

/**
 * GET /interaction/:uid/callback?handle=… — the certificate origin sends the browser here.
 * The handle is burned before anything else is checked; then the handle, the URL's uid
 * and the interaction found through this browser's cookie must all agree.
 */
export async function redeemCertificateHandle(
  ctx: Context,
  deps: InteractionDependencies,
): Promise<void> {
  // No page after this one may leak the handle through the Referer header.
  ctx.set('Referrer-Policy', 'no-referrer');
  const uid = String(ctx.params.uid);
  const redemption = await deps.handles.redeem(ctx.query.handle, uid);
  const details = await loadInteraction(ctx, deps);

  if (!redemption.ok) {
    throw new EidError(redemption.code, 'certificate handle refused', {
      status: 403,
      detail: redemption.detail,
    });
  }
  if (details.prompt.name !== 'login') {
    throw new EidError('INTERACTION_MISMATCH', 'interaction is not waiting for a login', {
      status: 403,
      detail: `interaction prompt is ${details.prompt.name}`,
    });
  }

  const { record } = redemption.result;
  const redirectTo = await deps.provider.interactionResult(
    ctx.req,
    ctx.res,
    {
      login: {
        accountId: record.accountId,
        acr: record.acr,
        amr: record.amr,
        // A browser-session cookie: eID logins happen on shared computers too.
        remember: false,
      },
      [LOGIN_RECORD_RESULT_KEY]: record,
    },
    { mergeWithLastSubmission: false },
  );
  deps.events.emit(
    {
      name: 'login.succeeded',
      interaction: uid,
      profile: record.profile,
      account: deps.pseudonyms.of('account', record.accountId),
      client: String(details.params.client_id),
    },
    ctx.state.requestId,
  );
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
