import { createHmac } from 'node:crypto';

/**
 * Keyed hashes that let an operator correlate log lines of the same person or certificate
 * without the log ever holding a name or a national identifier. The key is the server
 * secret; without it the pseudonym cannot be reversed by guessing identifiers.
 */
export class Pseudonymizer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** A short, stable pseudonym of `value` within `purpose` (e.g. "national-id", "cert"). */
  of(purpose: string, value: string): string {
    return createHmac('sha256', this.#key)
      .update(`log:${purpose}:`)
      .update(value)
      .digest('base64url')
      .slice(0, 16);
  }
}
