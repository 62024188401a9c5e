/** Revocation checking: OCSP and CRLs with caches and a per-profile failure policy. */
export { RevocationChecker, type RevocationResult, type RevocationCheckerOptions } from './checker.js';
export { CrlClient, type CrlFetcher } from './crl-client.js';
export { OcspClient } from './ocsp-client.js';
export { revocationSettings, type RevocationSettings } from './settings.js';
