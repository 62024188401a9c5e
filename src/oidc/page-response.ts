import type { KoaContextWithOIDC } from 'oidc-provider';
import { isStoreUnavailable } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { originOf } from '../pages/csp.js';
import type { PageRenderer } from '../pages/render.js';
import { respondWithErrorPage, respondWithPage } from '../pages/respond.js';

/** A page for one of oidc-provider's hooks (logout, form_post). */
export function renderPage(
  ctx: KoaContextWithOIDC,
  pages: PageRenderer,
  template: string,
  data: Record<string, unknown>,
  options: { formAction?: string } = {},
): void {
  const formActionOrigins = [
    originOf(options.formAction),
    originOf(ctx.oidc?.params?.post_logout_redirect_uri as string | undefined),
  ].filter((origin): origin is string => origin !== undefined);
  respondWithPage(ctx, pages, template, data, { formActionOrigins });
}

const ERRORS_WITH_THEIR_OWN_WORDS = new Set([
  'access_denied',
  'invalid_redirect_uri',
  'invalid_client',
]);

/**
 * oidc-provider's errors shown on our error page. Its English technical description goes
 * to the log; the person reads what happened and what to do, in their language.
 */
export function renderOidcError(
  ctx: KoaContextWithOIDC,
  pages: PageRenderer,
  out: { error: string; error_description?: string },
  error: Error,
  logger: Logger,
): void {
  const reference = String(ctx.state?.requestId ?? 'unknown');
  // The store (Redis) failing inside oidc-provider is not the relying party's fault: the
  // person gets our "temporarily unavailable" page with a 503, as everywhere else.
  if (isStoreUnavailable(error)) {
    logger.warn({ event: 'request.refused', reference, code: 'STORE_UNAVAILABLE' });
    respondWithErrorPage(ctx, pages, { code: 'STORE_UNAVAILABLE', status: 503, reference });
    return;
  }
  logger.info({
    event: 'oidc.error_page',
    reference,
    error: out.error,
    description: out.error_description,
  });
  const key = error.name === 'SessionNotFound' ? 'session_not_found' : out.error;
  const ownWords = ERRORS_WITH_THEIR_OWN_WORDS.has(key) || key === 'session_not_found';
  respondWithErrorPage(ctx, pages, {
    code: out.error,
    status: ctx.status >= 400 ? ctx.status : 400,
    reference,
    headingKey: pages.hasMessage('en', `error.oidc.${key}.title`)
      ? `error.oidc.${key}.title`
      : 'error.oidc.title',
    bodyKey: ownWords ? `error.oidc.${key}.body` : 'error.oidc.body',
  });
}
