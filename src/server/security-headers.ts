import type { Middleware } from 'koa';
import { contentSecurityPolicy, originOf } from '../pages/csp.js';

/**
 * Headers on every response of both origins. Pages replace the Content-Security-Policy with
 * their own (src/pages/respond.ts) when their forms lead elsewhere.
 */
export function securityHeaders(options: { assetOrigin: string }): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set('Strict-Transport-Security', 'max-age=31536000');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // oidc-provider's logout confirmation posts to itself and then redirects to the relying
    // party's post_logout_redirect_uri (already validated by oidc-provider).
    const postLogout = originOf(
      typeof ctx.query.post_logout_redirect_uri === 'string'
        ? ctx.query.post_logout_redirect_uri
        : undefined,
    );
    ctx.set(
      'Content-Security-Policy',
      contentSecurityPolicy({
        assetOrigin: options.assetOrigin,
        formActionOrigins: postLogout ? [postLogout] : [],
      }),
    );
    await next();
  };
}
