import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';

/** At most this many certificates are taken from a handshake; more is an attack or a mistake. */
const MAX_PRESENTED_CERTIFICATES = 10;

/**
 * The certificates the client presented in this TLS handshake, leaf first, as DER. Node
 * returns the chain as linked objects whose last issuer points at itself; the walk stops on
 * a repeat or at the cap. Whatever OpenSSL thought of the chain is ignored: the IdP
 * validates it itself.
 */
export function presentedChain(socket: TLSSocket): Uint8Array[] {
  // An empty object, not null, when the client sent no certificate.
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (!leaf?.raw) return [];
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current?.raw && chain.length < MAX_PRESENTED_CERTIFICATES) {
    const fingerprint = current.fingerprint256;
    if (seen.has(fingerprint)) break;
    seen.add(fingerprint);
    chain.push(new Uint8Array(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}
