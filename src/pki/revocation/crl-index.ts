import type { CrlHeader } from './crl-parse.js';
import { REASON_REMOVE_FROM_CRL } from './crl-parse.js';
import type { SerialTable } from './serial-table.js';

/**
 * One verified CRL, ready for lookups: revoked serial numbers in a hash table (serial-table.ts)
 * keyed by the INTEGER content, so a lookup costs one hash probe whatever the CRL's size.
 */
export class CrlIndex {
  readonly header: CrlHeader;
  /** Where it came from (URL or file), for logs and `inspect`. */
  readonly source: string;
  readonly #revoked: SerialTable;

  constructor(header: CrlHeader, revoked: SerialTable, source: string) {
    this.header = header;
    this.#revoked = revoked;
    this.source = source;
  }

  /** The reason code when the serial is listed (removeFromCRL included), else undefined. */
  reasonFor(serialHex: string): number | undefined {
    return this.#revoked.reasonFor(Buffer.from(serialHex, 'hex'));
  }

  /** Listed and not a delta CRL's removeFromCRL entry. */
  isRevoked(serialHex: string): boolean {
    const reason = this.reasonFor(serialHex);
    return reason !== undefined && reason !== REASON_REMOVE_FROM_CRL;
  }

  get size(): number {
    return this.#revoked.size;
  }

  /** Fresh at `at` (with clock skew): thisUpdate not in the future, nextUpdate not past. */
  isFreshAt(at: Date, clockSkewMs: number, maxAgeMs: number): boolean {
    const time = at.getTime();
    const { thisUpdate, nextUpdate } = this.header;
    if (thisUpdate.getTime() - clockSkewMs > time) return false;
    const expires = nextUpdate ? nextUpdate.getTime() : thisUpdate.getTime() + maxAgeMs;
    return time <= expires + clockSkewMs;
  }
}
