import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Proof that the certificate step was started from the login page of that interaction.
 *
 * The interaction uid travels in URL paths, which proxies log; knowing it must not be
 * enough to run the certificate step for someone else's login (an attacker with their own
 * card would get a handle bound to the victim's uid, then lure the victim's browser to the
 * callback: login CSRF). Only the browser holding the interaction cookie sees the login page,
 * and the page carries this token in its form body, never in a URL.
 *
 * The token is an HMAC over the uid, so it needs no server state and every instance that
 * shares the subject key accepts it. Its lifetime is the interaction's: once the interaction
 * is gone, the callback refuses whatever the step produces.
 */

/** The form field the login page posts the token in. */
export const STEP_TOKEN_FIELD = 'step_token';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class StepTokens {
  readonly #key: Buffer;

  constructor(secret: Buffer) {
    // A key of its own: a step token can never double as a subject, pseudonym or CSRF token
    // computed with the same secret.
    this.#key = Buffer.from(
      hkdfSync('sha256', secret, 'eid-idp', 'eid-idp certificate step token v1', 32),
    );
  }

  issue(interactionUid: string): string {
    return createHmac('sha256', this.#key)
      .update(`certificate-step\u0000${interactionUid}`)
      .digest('base64url');
  }

  verify(token: unknown, interactionUid: string): boolean {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
    const expected = Buffer.from(this.issue(interactionUid));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
