import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { AdminSettings } from './settings.js';

/** Who was let in: an allowlisted certificate (by fingerprint) or the token holder. */
export type AdminPrincipal = { kind: 'certificate'; fingerprint: string } | { kind: 'token' };

export type AdminAccess =
  { ok: true; principal: AdminPrincipal } | { ok: false; status: 401 | 403; reason: string };

/**
 * LIMITATION: browsers offer only client certificates whose issuer is in the certificate
 * origin's CA hint list (the trust anchors), so in a browser the practical admin certificate
 * is the administrator's own eID card; curl and scripts are not affected (docs/admin.md).
 *
 * Decides whether a request may use the admin surface. An allowlisted certificate is
 * enough; otherwise a bearer token must match. A certificate that is not listed is a 403
 * (the person is known to the TLS layer and is not an administrator); no credential or a
 * wrong token is a 401.
 */
export function checkAdminAccess(
  settings: AdminSettings,
  presented: { leafSha256: string | undefined; authorization: string | undefined },
): AdminAccess {
  const { leafSha256, authorization } = presented;
  if (leafSha256 && settings.certificateFingerprints.includes(leafSha256)) {
    return { ok: true, principal: { kind: 'certificate', fingerprint: leafSha256 } };
  }

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (bearer !== undefined) {
    if (settings.token !== undefined && sameSecret(bearer, settings.token)) {
      return { ok: true, principal: { kind: 'token' } };
    }
    return { ok: false, status: 401, reason: 'wrong bearer token' };
  }

  if (leafSha256) {
    return {
      ok: false,
      status: 403,
      reason: 'client certificate not in admin.certificateFingerprints',
    };
  }
  return { ok: false, status: 401, reason: 'no admin certificate and no bearer token' };
}

/**
 * Constant-time comparison of two secrets of any length: their SHA-256 digests are compared,
 * so neither the content nor the length leaks through timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Koa middleware: lets administrators through with `ctx.state.admin`, answers others. */
export function requireAdmin(
  settings: AdminSettings,
  leafSha256Of: (ctx: Context) => string | undefined,
  onRefused: (ctx: Context, refusal: Extract<AdminAccess, { ok: false }>) => void,
) {
  return async function adminGate(ctx: Context, next: Next): Promise<void> {
    const access = checkAdminAccess(settings, {
      leafSha256: leafSha256Of(ctx),
      authorization: ctx.get('authorization') || undefined,
    });
    if (!access.ok) {
      onRefused(ctx, access);
      return;
    }
    ctx.state.admin = access.principal;
    await next();
  };
}
