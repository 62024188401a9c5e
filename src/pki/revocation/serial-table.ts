/**
 * The revoked serial numbers of one CRL as an open-addressing hash table in typed arrays:
 * constant-time lookups like a Map, but no object per entry. A national CRL has up to a
 * million entries; as a Map of strings that is a million heap objects for the main thread's
 * garbage collector to mark again and again (measured: pauses over 100 ms). Typed arrays are
 * one allocation each, built in the CRL worker and transferred, not copied.
 */

export interface SerialTableData {
  /** Serial numbers' bytes, back to back. */
  pool: Uint8Array;
  /** Start of each entry's serial in `pool`. */
  starts: Uint32Array;
  /** Length of each entry's serial. */
  lengths: Uint8Array;
  /** Reason code of each entry (RFC 5280 CRLReason; 0 when absent). */
  reasons: Uint8Array;
  /** Power-of-two table of entry index + 1 (0: empty slot). */
  slots: Uint32Array;
}

/** FNV-1a, 32 bits: fast, and good enough to spread serial numbers. */
function hash(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i += 1) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SerialTableBuilder {
  #pool = new Uint8Array(1 << 16);
  #used = 0;
  #starts: number[] = [];
  #lengths: number[] = [];
  #reasons: number[] = [];

  /** Adds one serial number (the INTEGER content octets). Serials over 255 bytes are refused. */
  add(serial: Uint8Array, reason: number): void {
    if (serial.length > 255) throw new RangeError('serial number longer than 255 bytes');
    if (this.#used + serial.length > this.#pool.length) {
      const grown = new Uint8Array(Math.max(this.#pool.length * 2, this.#used + serial.length));
      grown.set(this.#pool.subarray(0, this.#used));
      this.#pool = grown;
    }
    this.#pool.set(serial, this.#used);
    this.#starts.push(this.#used);
    this.#lengths.push(serial.length);
    this.#reasons.push(reason);
    this.#used += serial.length;
  }

  get size(): number {
    return this.#starts.length;
  }

  build(): SerialTableData {
    const count = this.#starts.length;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    const pool = this.#pool.slice(0, this.#used);
    const starts = Uint32Array.from(this.#starts);
    const lengths = Uint8Array.from(this.#lengths);
    const reasons = Uint8Array.from(this.#reasons);
    const slots = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let entry = 0; entry < count; entry += 1) {
      let slot = hash(pool, starts[entry]!, lengths[entry]!) & mask;
      // A serial listed twice keeps its first entry: the later one is not reachable.
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    return { pool, starts, lengths, reasons, slots };
  }
}

/** Read side of a built table. */
export class SerialTable {
  readonly #data: SerialTableData;

  constructor(data: SerialTableData) {
    this.#data = data;
  }

  get size(): number {
    return this.#data.starts.length;
  }

  /** The entry's reason code, or undefined when the serial is not listed. */
  reasonFor(serial: Uint8Array): number | undefined {
    const { pool, starts, lengths, reasons, slots } = this.#data;
    const mask = slots.length - 1;
    let slot = hash(serial, 0, serial.length) & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return undefined;
      const index = entry - 1;
      if (lengths[index] === serial.length && equalAt(pool, starts[index]!, serial)) return reasons[index];
      slot = (slot + 1) & mask;
    }
  }

  /** The transferable buffers (for postMessage). */
  static buffers(data: SerialTableData): ArrayBuffer[] {
    return [data.pool, data.starts, data.lengths, data.reasons, data.slots].map(
      (array) => array.buffer as ArrayBuffer,
    );
  }
}

function equalAt(pool: Uint8Array, start: number, serial: Uint8Array): boolean {
  for (let i = 0; i < serial.length; i += 1) {
    if (pool[start + i] !== serial[i]) return false;
  }
  return true;
}
