import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../store/contract.js';
import type { LoginRecord } from './login-record.js';

/**
 * The one-time bridge from the certificate origin to the OIDC origin. After a successful
 * handshake the certificate origin stores the login record under a random handle bound to
 * the interaction uid; the OIDC origin redeems it once, in the browser that holds that
 * interaction's cookie. Only a digest of the handle is stored, so the store never holds a
 * redeemable value.
 */
export interface CertificateResult {
  interactionUid: string;
  record: LoginRecord;
  issuedAtMs: number;
}

export type Redemption =
  | { ok: true; result: CertificateResult }
  | { ok: false; code: 'HANDLE_INVALID' | 'HANDLE_MISMATCH'; detail: string };

const HANDLE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class CertificateHandles {
  readonly #store: KeyValueStore;
  readonly #ttlSeconds: number;

  constructor(store: KeyValueStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  /** Stores the result and returns the handle to put in the redirect. */
  async issue(interactionUid: string, record: LoginRecord): Promise<string> {
    const handle = randomBytes(32).toString('base64url');
    const result: CertificateResult = { interactionUid, record, issuedAtMs: Date.now() };
    await this.#store.set(keyOf(handle), JSON.stringify(result), this.#ttlSeconds);
    return handle;
  }

  /**
   * Burns the handle first, whatever happens next: a failed attempt (wrong interaction,
   * missing cookie) must not leave a handle that a second try could redeem.
   */
  async redeem(handle: unknown, interactionUid: string): Promise<Redemption> {
    if (typeof handle !== 'string' || !HANDLE_SHAPE.test(handle)) {
      return { ok: false, code: 'HANDLE_INVALID', detail: 'handle missing or malformed' };
    }
    const text = await this.#store.take(keyOf(handle));
    if (text === undefined) {
      return { ok: false, code: 'HANDLE_INVALID', detail: 'handle unknown, used or expired' };
    }
    const result = JSON.parse(text) as CertificateResult;
    if (Date.now() - result.issuedAtMs > this.#ttlSeconds * 1000) {
      return { ok: false, code: 'HANDLE_INVALID', detail: 'handle expired' };
    }
    if (result.interactionUid !== interactionUid) {
      return { ok: false, code: 'HANDLE_MISMATCH', detail: 'handle issued for another interaction' };
    }
    return { ok: true, result };
  }
}

function keyOf(handle: string): string {
  return `handle:${createHash('sha256').update(handle).digest('base64url')}`;
}
