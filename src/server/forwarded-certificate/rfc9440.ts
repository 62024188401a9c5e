import { parseItem, parseList, ParseError, type Item } from 'structured-headers';
import { ForwardedCertificateSyntaxError, type ForwardedCertificateParser } from './types.js';

/**
 * RFC 9440: `Client-Cert` is a structured-field Item, a byte sequence holding the leaf's DER;
 * `Client-Cert-Chain` (optional) is a List of byte sequences, the rest of the chain the
 * client sent, leaf excluded. Parsed with the structured-headers library (RFC 9651), not by
 * hand. The configured name, if any, replaces `Client-Cert`; the chain header is then the
 * same name with `-Chain` appended.
 */
export const RFC9440_HEADER = 'client-cert';

export const rfc9440Parser: ForwardedCertificateParser = {
  format: 'rfc9440',
  headerNames: (configuredName) => {
    const name = (configuredName ?? RFC9440_HEADER).toLowerCase();
    return [name, `${name}-chain`];
  },
  parse(values, configuredName) {
    const name = (configuredName ?? RFC9440_HEADER).toLowerCase();
    const leafValue = values.get(name);
    const chainValue = values.get(`${name}-chain`);
    if (leafValue === undefined || leafValue.trim() === '') {
      if (chainValue !== undefined && chainValue.trim() !== '') {
        throw new ForwardedCertificateSyntaxError(`${name}-chain without ${name}`);
      }
      return [];
    }
    const leaf = bytesOf(structured(() => parseItem(leafValue), name), name);
    const chain =
      chainValue === undefined || chainValue.trim() === ''
        ? []
        : structured(() => parseList(chainValue), `${name}-chain`).map((member, index) => {
            if (Array.isArray(member[0])) {
              throw new ForwardedCertificateSyntaxError(`${name}-chain[${index}]: an inner list`);
            }
            return bytesOf(member as Item, `${name}-chain[${index}]`);
          });
    return [leaf, ...chain];
  },
};

function structured<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParseError || error instanceof Error) {
      throw new ForwardedCertificateSyntaxError(`${what}: not a structured field (${error.message.slice(0, 80)})`);
    }
    throw error;
  }
}

function bytesOf(item: Item, what: string): Uint8Array {
  const [value] = item;
  if (!(value instanceof ArrayBuffer)) {
    throw new ForwardedCertificateSyntaxError(`${what}: not a byte sequence`);
  }
  if (value.byteLength === 0) throw new ForwardedCertificateSyntaxError(`${what}: empty byte sequence`);
  return new Uint8Array(value);
}
