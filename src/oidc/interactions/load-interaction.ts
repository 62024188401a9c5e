import type { Context } from 'koa';
import { EidError, isStoreUnavailable } from '../../errors.js';
import type { InteractionDependencies, InteractionDetails } from './context.js';

/**
 * The interaction this browser holds (found through its interaction cookie), which must be
 * the one named in the URL. Without the cookie there is no interaction: a link opened in
 * another browser, or one that expired, ends here.
 */
export async function loadInteraction(
  ctx: Context,
  deps: InteractionDependencies,
): Promise<InteractionDetails> {
  let details: InteractionDetails;
  try {
    details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    // A store that does not answer is not a missing interaction: keep its 503.
    if (isStoreUnavailable(error)) throw error;
    throw new EidError('INTERACTION_NOT_FOUND', 'interaction not found for this browser', {
      status: 403,
      detail: (error as Error).message,
      cause: error,
    });
  }
  if (details.uid !== ctx.params.uid) {
    throw new EidError('INTERACTION_MISMATCH', 'URL and cookie name different interactions', {
      status: 403,
      detail: 'interaction uid in the URL differs from the one bound to the cookie',
    });
  }
  return details;
}

/** Origin of the relying party's redirect URI: forms whose redirects end there need it. */
export function relyingPartyOrigins(details: InteractionDetails): string[] {
  const redirectUri = details.params.redirect_uri;
  if (typeof redirectUri !== 'string') return [];
  try {
    return [new URL(redirectUri).origin];
  } catch {
    return [];
  }
}

export async function clientName(
  deps: InteractionDependencies,
  details: InteractionDetails,
): Promise<string> {
  const clientId = String(details.params.client_id);
  const client = await deps.provider.Client.find(clientId);
  return client?.clientName ?? clientId;
}
