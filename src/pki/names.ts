import * as asn1js from 'asn1js';
import { ATTRIBUTE_OIDS } from '../identity/attributes.js';
import type { NameAttribute } from '../identity/types.js';

/**
 * Distinguished names read from their ASN.1 RDNs (never from a DN string: CNs contain commas).
 * Also the comparison key RFC 5280 §7.1 asks for when chaining names: attribute types and
 * values in order, string values compared case-insensitively with insignificant spaces removed,
 * whatever DirectoryString type each CA chose (a CA may roll over from PrintableString to
 * UTF8String without breaking its subordinates' chains).
 */

const SHORT_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(ATTRIBUTE_OIDS).map(([short, oid]) => [oid, short]),
);

/** A decoded Name: its attributes in order and its comparison key. */
export interface DecodedName {
  attributes: NameAttribute[];
  /** RFC 5280 §7.1 comparison key; equal keys mean the names match. */
  key: string;
  /** The comparison key of each RDN, in order (for name-constraint subtree prefixes). */
  rdnKeys: string[];
}

/** Decodes a Name (SEQUENCE OF RDN) already parsed by asn1js. */
export function decodeName(block: asn1js.AsnType): DecodedName {
  if (!(block instanceof asn1js.Sequence)) throw new TypeError('Name is not a SEQUENCE');
  const attributes: NameAttribute[] = [];
  const rdnKeys: string[] = [];
  for (const rdn of block.valueBlock.value) {
    if (!(rdn instanceof asn1js.Set)) throw new TypeError('RDN is not a SET');
    const atvKeys: string[] = [];
    for (const atv of rdn.valueBlock.value) {
      const [type, value] = atv instanceof asn1js.Sequence ? atv.valueBlock.value : [];
      if (!(type instanceof asn1js.ObjectIdentifier) || value === undefined) {
        throw new TypeError('AttributeTypeAndValue is malformed');
      }
      const oid = type.valueBlock.toString();
      const text = decodeDirectoryString(value);
      const normalised = text === undefined ? undefined : text.normalize('NFC');
      attributes.push({
        oid,
        name: SHORT_NAMES.get(oid),
        value: normalised ?? hexOf(value),
      });
      atvKeys.push(`${oid}=${normalised === undefined ? hexOf(value) : foldForMatch(normalised)}`);
    }
    // A multi-valued RDN is a set: its order carries no meaning.
    rdnKeys.push(atvKeys.sort().join('+'));
  }
  return { attributes, key: rdnKeys.join(','), rdnKeys };
}

/**
 * The text of a DirectoryString (or IA5String, as emailAddress and DC use), or undefined for
 * a value that is not a string.
 */
export function decodeDirectoryString(value: asn1js.AsnType): string | undefined {
  if (value instanceof asn1js.TeletexString) return decodeTeletex(value.valueBlock.valueHexView);
  if (
    value instanceof asn1js.Utf8String ||
    value instanceof asn1js.PrintableString ||
    value instanceof asn1js.BmpString ||
    value instanceof asn1js.UniversalString ||
    value instanceof asn1js.IA5String ||
    value instanceof asn1js.VisibleString
  ) {
    return value.valueBlock.value;
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * T61String in the wild holds Latin-1 or, from careless CAs, UTF-8: read UTF-8 when the bytes
 * are valid UTF-8 (pure ASCII reads the same either way), else Latin-1, as OpenSSL and browsers
 * effectively do.
 */
function decodeTeletex(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** RFC 4518-style folding: case-insensitive, leading/trailing and repeated spaces ignored. */
function foldForMatch(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function hexOf(value: asn1js.AsnType): string {
  return `#${Buffer.from(value.toBER(false)).toString('hex')}`;
}

/**
 * A one-line rendering for administrators (RFC 4514 order: most specific first). Only for CA
 * names: a leaf's subject is personal data and never goes into a log or a detail string.
 */
export function formatName(attributes: readonly NameAttribute[]): string {
  return [...attributes]
    .reverse()
    .map((attribute) => `${attribute.name ?? attribute.oid}=${attribute.value}`)
    .join(', ');
}
