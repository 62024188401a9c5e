import { createHmac } from 'node:crypto';
import type { NationalIdentifier } from '../identity/types.js';

/**
 * Account ids and pairwise subjects: keyed hashes, so that the raw national identifier is
 * never a `sub` and a `sub` cannot be reversed without the server secret.
 */
export class SubjectDerivation {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * One account per person and country: the type is left out on purpose, so a DNIe
   * (`00000000T`) and an FNMT certificate (`IDCES-00000000T`) of the same person agree.
   */
  accountId(identifier: Pick<NationalIdentifier, 'country' | 'value'>): string {
    return this.#hash(`account\u0000${identifier.country}\u0000${identifier.value}`);
  }

  /** The `sub` a pairwise client sees: distinct per sector, stable across logins. */
  pairwise(sectorIdentifier: string, accountId: string): string {
    return this.#hash(`pairwise\u0000${sectorIdentifier}\u0000${accountId}`);
  }

  #hash(input: string): string {
    return createHmac('sha256', this.#key).update(input).digest('base64url');
  }
}
