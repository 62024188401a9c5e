import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { AdminPrincipal } from './access.js';

/**
 * CSRF protection of the admin form. An allowlisted client certificate is an ambient
 * credential (the browser presents it to any request, cross-site ones included), so a form
 * POST must prove it comes from our page: the Origin, when the browser sends it, must be
 * ours, and the form carries a token that only our page could have rendered. The token is
 * an HMAC over the principal and the time it was issued: no server state, and any instance
 * sharing the key accepts it.
 */

/** A rendered form stays usable this long. */
const TOKEN_LIFETIME_SECONDS = 3600;

export class CsrfTokens {
  readonly #key: Buffer;

  constructor(secret: Buffer) {
    // A key of its own, derived so that a token can never double as another keyed hash.
    this.#key = createHmac('sha256', secret).update('eid-idp admin csrf').digest();
  }

  issue(principal: AdminPrincipal, now: Date = new Date()): string {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return `${issuedAt}.${this.#mac(principal, issuedAt)}`;
  }

  verify(token: unknown, principal: AdminPrincipal, now: Date = new Date()): boolean {
    if (typeof token !== 'string') return false;
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return false;
    const issuedAt = Number(match[1]);
    const age = Math.floor(now.getTime() / 1000) - issuedAt;
    if (age < 0 || age > TOKEN_LIFETIME_SECONDS) return false;
    const expected = Buffer.from(this.#mac(principal, issuedAt));
    const given = Buffer.from(match[2]!);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(principal: AdminPrincipal, issuedAt: number): string {
    const who = principal.kind === 'certificate' ? `cert:${principal.fingerprint}` : 'token';
    return createHmac('sha256', this.#key).update(`${who}\u0000${issuedAt}`).digest('base64url');
  }
}

/**
 * Whether a state-changing request comes from our own origin, by the headers browsers set
 * on their own: Sec-Fetch-Site and Origin. Clients that send neither (curl, scripts with the
 * bearer token) are not browsers and carry no ambient credential to abuse.
 */
export function fromOwnOrigin(ctx: Context, ownOrigin: string): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = ctx.get('origin');
  if (origin && origin !== new URL(ownOrigin).origin) return false;
  return true;
}
