import type { RefusalCode } from '../errors.js';
import { mapIdentity, type CardProfile } from '../identity/index.js';
import type { IdentityMatch } from '../identity/types.js';
import type { ParsedCertificate } from './certificate.js';
import type { TrustAnchor, TrustStore } from './trust-store.js';
import { validatePath, type Check } from './validate-path.js';

/**
 * The one function that turns a presented chain into a decision with claims: validate the
 * path to a pinned anchor, then map the leaf through its card profile. The certificate
 * route, the admin preview and `eid-idp inspect` all call it, so they cannot disagree.
 */
export type CertificateDecision = CertificateAccepted | CertificateRefused;

export interface CertificateAccepted {
  ok: true;
  leaf: ParsedCertificate;
  path: ParsedCertificate[];
  anchor: TrustAnchor;
  identity: IdentityMatch;
  /** Revocation is checked in its own step (issue: OCSP and CRL); until then, said plainly. */
  revocation: 'good' | 'not_checked' | 'soft_fail';
  checks: Check[];
}

export interface CertificateRefused {
  ok: false;
  code: RefusalCode;
  /** For the log: no names, no identifiers. */
  detail: string;
  checks: Check[];
  /** SHA-256 of the leaf when it could be parsed, for log correlation. */
  leafSha256?: string;
}

export interface DecisionOptions {
  trustStore: TrustStore;
  /** Card profiles in priority order (built-in plus the administrator's). */
  profiles?: readonly CardProfile[];
}

export async function decideCertificate(
  presented: Uint8Array[],
  options: DecisionOptions,
  at: Date = new Date(),
): Promise<CertificateDecision> {
  if (presented.length === 0) {
    return { ok: false, code: 'CERT_MISSING', detail: 'no client certificate presented', checks: [] };
  }
  const path = await validatePath(presented, options.trustStore, { at });
  if (!path.ok) {
    return {
      ok: false,
      code: path.code,
      detail: path.detail,
      checks: path.checks,
      leafSha256: path.leaf?.sha256,
    };
  }

  const issuer = path.path[1] ?? path.anchor.certificate;
  const identity = mapIdentity(
    path.leaf.facts(),
    {
      anchorProfile: path.anchor.profile,
      issuer: issuer.facts(),
      anchorSpkiSha256: path.anchor.certificate.spkiSha256,
    },
    options.profiles,
  );
  const identityCheck: Check = identity.ok
    ? { name: 'card profile', ok: true, detail: identity.profile }
    : { name: 'card profile', ok: false, detail: identity.detail };
  const checks = [...path.checks, identityCheck];
  if (!identity.ok) {
    return {
      ok: false,
      code: identity.code,
      detail: identity.detail,
      checks,
      leafSha256: path.leaf.sha256,
    };
  }
  return {
    ok: true,
    leaf: path.leaf,
    path: path.path,
    anchor: path.anchor,
    identity,
    revocation: 'not_checked',
    checks,
  };
}
