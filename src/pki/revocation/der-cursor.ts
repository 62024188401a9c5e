import * as asn1js from 'asn1js';

/**
 * Walks the top of a large DER structure one element at a time, without decoding what is
 * inside. asn1js builds a full object tree (about 2.4 KB of heap per CRL entry, measured), so
 * a 50 MB CRL decoded whole would need gigabytes; here only the identifier and length octets
 * of each element are read (by asn1js's own identification and length blocks), and small
 * elements are then decoded one by one with `fromBER`.
 */

export interface DerElement {
  tagClass: number;
  tagNumber: number;
  constructed: boolean;
  /** Offset of the first identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/** Universal tag numbers used by the CRL reader. */
export const TAG = { INTEGER: 2, SEQUENCE: 16, UTC_TIME: 23, GENERALIZED_TIME: 24 } as const;

export class DerFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerFormatError';
  }
}

/** Reads the header of the element at `offset`, which must end by `limit`. */
export function readElement(bytes: Uint8Array, offset: number, limit: number): DerElement {
  const probe = new asn1js.BaseBlock();
  const afterId = probe.idBlock.fromBER(bytes, offset, limit - offset);
  if (afterId === -1) throw new DerFormatError(`bad identifier at ${offset}: ${probe.idBlock.error}`);
  const afterLength = probe.lenBlock.fromBER(bytes, afterId, limit - afterId);
  if (afterLength === -1) throw new DerFormatError(`bad length at ${afterId}: ${probe.lenBlock.error}`);
  // DER only: an indefinite length is BER, and would let one element swallow the rest.
  if (probe.lenBlock.isIndefiniteForm) throw new DerFormatError(`indefinite length at ${offset}`);
  const end = afterLength + probe.lenBlock.length;
  if (end > limit) throw new DerFormatError(`element at ${offset} runs past its container`);
  return {
    tagClass: probe.idBlock.tagClass,
    tagNumber: probe.idBlock.tagNumber,
    constructed: probe.idBlock.isConstructed,
    start: offset,
    contentStart: afterLength,
    end,
  };
}

/** The elements directly inside a constructed element, in order. */
export function* childrenOf(bytes: Uint8Array, parent: DerElement): Generator<DerElement> {
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(bytes, offset, parent.end);
    yield child;
    offset = child.end;
  }
}

/** The element's bytes, header included (a view, not a copy). */
export function bytesOf(bytes: Uint8Array, element: DerElement): Uint8Array {
  return bytes.subarray(element.start, element.end);
}

/** The element's content octets (a view, not a copy). */
export function contentOf(bytes: Uint8Array, element: DerElement): Uint8Array {
  return bytes.subarray(element.contentStart, element.end);
}

/** Decodes one small element fully with asn1js. */
export function decodeElement(bytes: Uint8Array, element: DerElement): asn1js.AsnType {
  const decoded = asn1js.fromBER(bytesOf(bytes, element));
  if (decoded.offset === -1) throw new DerFormatError(`cannot decode element at ${element.start}`);
  return decoded.result;
}

export function isUniversal(element: DerElement, tagNumber: number): boolean {
  return element.tagClass === 1 && element.tagNumber === tagNumber;
}

export function isContext(element: DerElement, tagNumber: number): boolean {
  return element.tagClass === 3 && element.tagNumber === tagNumber;
}
