import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { PageRenderer } from '../pages/render.js';
import { renderPage } from './page-response.js';

/**
 * oidc-provider answers two steps with its own self-submitting logout form, written by a
 * function no configuration reaches: a logout requested while nobody is signed in
 * (end_session), and a login that finishes as a different person than the one signed in
 * within this browser session (resume: the first person is signed out first). That page is
 * English-only and carries an inline script. Both forms post exactly two known values to
 * the logout confirmation, so this middleware, outermost in the provider, recognises the
 * page by its title and renders the same form from views/ instead.
 */
const BUILT_IN_FORM_TITLE = '<title>Submitting Callback</title>';
const ROUTES_WITH_BUILT_IN_FORM = new Set(['end_session', 'resume']);

export function replaceBuiltInLogoutForms(pages: PageRenderer): Middleware {
  return async function ownLogoutForms(koaContext, next) {
    await next();
    const ctx = koaContext as unknown as KoaContextWithOIDC;
    if (!ROUTES_WITH_BUILT_IN_FORM.has(ctx.oidc?.route ?? '')) return;
    if (ctx.status !== 200 || typeof ctx.body !== 'string') return;
    if (!ctx.body.includes(BUILT_IN_FORM_TITLE)) return;
    const secret = (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret;
    if (!secret) return;
    const action = ctx.oidc.urlFor('end_session_confirm');
    renderPage(
      ctx,
      pages,
      'form-post',
      { action, inputs: { xsrf: secret, logout: 'yes' }, titleKey: 'form-post.signing-out' },
      { formAction: action },
    );
  };
}
