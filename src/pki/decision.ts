import { EidError, type RefusalCode } from '../errors.js';
import { mapIdentity, type CardProfile } from '../identity/index.js';
import type { IdentityMatch } from '../identity/types.js';
import type { ParsedCertificate } from './certificate.js';
import type { RevocationChecker } from './revocation/checker.js';
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
  /**
   * good: OCSP or CRL says not revoked; soft_fail: no answer, let through by the profile's
   * soft-fail policy; not_checked: no checker, revocation off for the profile, the card
   * names no responder or CRL, or `inspect --offline`.
   */
  revocation: 'good' | 'not_checked' | 'soft_fail';
  /** Why `revocation` is what it is (no personal data). */
  revocationReason: string;
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
  /** OCSP/CRL checking (src/pki/revocation); without it revocation is `not_checked`. */
  revocation?: RevocationChecker;
  /** Skip revocation checking (`inspect --offline`): the decision says `not_checked`. */
  skipRevocation?: boolean;
}

export async function decideCertificate(
  presented: Uint8Array[],
  options: DecisionOptions,
  at: Date = new Date(),
): Promise<CertificateDecision> {
  try {
    return await decide(presented, options, at);
  } catch (error) {
    // Node's parser accepts a certificate whose extensions do not match their schema; the
    // extension is decoded only when a check needs it, deep inside validation or mapping.
    // Such a certificate is a refusal like any other, never an exception for the caller
    // (found by test/fuzz/decision.test.ts).
    if (error instanceof EidError && error.code === 'CERT_MALFORMED') {
      return { ok: false, code: 'CERT_MALFORMED', detail: error.detail ?? error.message, checks: [] };
    }
    throw error;
  }
}

async function decide(
  presented: Uint8Array[],
  options: DecisionOptions,
  at: Date,
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

  if (path.leaf.isCa) {
    // A CA's own certificate is never a citizen's, whatever its policies say.
    const detail = 'the presented certificate is a CA certificate (basicConstraints cA)';
    const checks = [...path.checks, { name: 'end-entity certificate', ok: false, detail }];
    return { ok: false, code: 'CERT_WRONG_USAGE', detail, checks, leafSha256: path.leaf.sha256 };
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
  // Whatever a profile (an administrator's included) says, the key signs the TLS handshake:
  // a keyUsage without digitalSignature, or an extendedKeyUsage without clientAuth, does not
  // allow it (RFC 5280 §4.2.1.3, §4.2.1.12).
  const tlsUsage = tlsClientUsageProblem(path.leaf);
  if (tlsUsage !== undefined) {
    const detail = `${identity.profile}: ${tlsUsage}`;
    checks.push({ name: 'key usage for TLS client authentication', ok: false, detail });
    return { ok: false, code: 'CERT_WRONG_USAGE', detail, checks, leafSha256: path.leaf.sha256 };
  }
  // Revocation last: it may cost a network round trip, and it needs the card profile (each
  // profile has its own methods and failure policy).
  let revocation: CertificateAccepted['revocation'] = 'not_checked';
  let revocationReason = options.skipRevocation ? 'skipped (offline)' : 'no revocation checker';
  if (options.revocation && !options.skipRevocation) {
    const result = await options.revocation.check(
      path.path,
      path.anchor.certificate,
      identity.profile,
      at,
    );
    if (!result.ok) {
      checks.push({ name: 'revocation', ok: false, detail: result.detail });
      return { ok: false, code: result.code, detail: result.detail, checks, leafSha256: path.leaf.sha256 };
    }
    revocation = result.status;
    revocationReason = result.reason;
  }
  checks.push({ name: 'revocation', ok: true, detail: `${revocation}: ${revocationReason}` });
  return {
    ok: true,
    leaf: path.leaf,
    path: path.path,
    anchor: path.anchor,
    identity,
    revocation,
    revocationReason,
    checks,
  };
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** Why the leaf's key may not authenticate a TLS client, or undefined when it may. */
function tlsClientUsageProblem(leaf: ParsedCertificate): string | undefined {
  const usage = leaf.keyUsage;
  if (usage !== undefined && !usage.includes('digitalSignature')) {
    return 'key usage does not include digitalSignature';
  }
  const extended = leaf.facts().extendedKeyUsage;
  if (
    extended !== undefined &&
    !extended.includes(CLIENT_AUTH) &&
    !extended.includes(ANY_EXTENDED_KEY_USAGE)
  ) {
    return 'extended key usage does not include clientAuth';
  }
  return undefined;
}
