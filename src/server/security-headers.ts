import type { Middleware } from 'koa';
import { contentSecurityPolicy } from '../pages/csp.js';

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
    // No form may leave the origin by default. The query's post_logout_redirect_uri is NOT
    // added here: it is unvalidated at this point, and an error page for a refused one would
    // otherwise allow forms towards the attacker's origin (test/attacks/redirects.test.ts).
    // Pages whose forms lead to a relying party set their own policy once oidc-provider has
    // validated the URI (src/oidc/page-response.ts).
    ctx.set('Content-Security-Policy', contentSecurityPolicy({ assetOrigin: options.assetOrigin }));
    await next();
  };
}
