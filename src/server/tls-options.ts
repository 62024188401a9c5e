import { constants } from 'node:crypto';
import type { TlsOptions } from 'node:tls';

/**
 * Signature schemes the certificate origin accepts from a client, PKCS#1 v1.5 first: the
 * DNIe, FNMT cards and older Belgian cards can only sign PKCS#1 v1.5, and in TLS 1.2 the
 * client picks the first scheme its key can do. ECDSA serves Estonian, newer Belgian and
 * Finnish cards; RSA-PSS serves software keys and TLS 1.3 deployments.
 */
export const CLIENT_AUTH_SIGNATURE_SCHEMES = [
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
  'rsa_pkcs1_sha512',
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
].join(':');

export interface ServerKeyPair {
  /** PEM: the server certificate followed by its intermediates. */
  cert: string;
  key: string;
}

/**
 * TLS for the certificate origin. Every login is a fresh, full handshake: no session tickets,
 * no session cache (see certificate-listener.ts), no renegotiation, so that a login can never
 * inherit the certificate of an earlier handshake. The client certificate is requested but
 * not verified by OpenSSL: the IdP validates the chain itself against its pinned anchors,
 * and a missing or refused certificate gets a page that explains it instead of a TLS alert.
 */
export function certificateOriginTlsOptions(options: {
  serverKeyPair: ServerKeyPair;
  /** The anchors' PEMs: their names go into the CertificateRequest as the CA hint list. */
  caHintPems: string[];
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
}): TlsOptions {
  return {
    ...options.serverKeyPair,
    ca: options.caHintPems.length > 0 ? options.caHintPems : undefined,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    sigalgs: CLIENT_AUTH_SIGNATURE_SCHEMES,
    secureOptions: constants.SSL_OP_NO_TICKET | constants.SSL_OP_NO_RENEGOTIATION,
    honorCipherOrder: true,
  };
}

/** TLS for the OIDC origin: no client certificate is ever asked for here. */
export function oidcOriginTlsOptions(serverKeyPair: ServerKeyPair): TlsOptions {
  return {
    ...serverKeyPair,
    requestCert: false,
    minVersion: 'TLSv1.2',
  };
}
