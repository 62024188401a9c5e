import type { CardProfile, MatchContext } from './profile.js';
import { builtInProfiles } from './profiles/index.js';
import type { CertificateFacts, IdentityResult } from './types.js';

/**
 * The identity step of a login: which card profile a validated leaf belongs to, whether it
 * is that card's authentication certificate, and which claims it yields. Chain validation,
 * revocation and trust happen before, in the pki layer; this function trusts its input.
 */

/** Context of the leaf: its issuer and what the trust anchor says about it. */
export interface IdentityContext {
  /** Profile id named by the trust anchor's manifest entry; wins over every other match. */
  anchorProfile?: string;
  /** Facts of the certificate that issued the leaf. */
  issuer: CertificateFacts;
  /** SHA-256 of the trust anchor's SubjectPublicKeyInfo (lower-case hex), when known. */
  anchorSpkiSha256?: string;
}

/**
 * Maps a validated leaf certificate to claims.
 *
 * The profile is the anchor's hint when there is one, else the first profile (in the given
 * order) whose `match` accepts the leaf. The leaf must pass the profile's authentication
 * rule: a signature certificate is refused with `CERT_SIGNATURE_ONLY`, anything else with
 * `CERT_WRONG_USAGE`. Refusal details never contain names or identifiers.
 *
 * @param leaf facts of the presented (already validated) certificate
 * @param context the issuer's facts and the anchor's profile hint
 * @param profiles candidate profiles in priority order; the built-in ones by default
 */
export function mapIdentity(
  leaf: CertificateFacts,
  context: IdentityContext,
  profiles: readonly CardProfile[] = builtInProfiles,
): IdentityResult {
  const chosen = chooseProfile(leaf, context, profiles);
  if (!chosen.ok) return { ok: false, code: 'PROFILE_NOT_FOUND', detail: chosen.detail };
  const profile = chosen.profile;

  const authentication = profile.purpose.authentication(leaf);
  if (!authentication.ok) {
    if (profile.purpose.signature(leaf)) {
      return {
        ok: false,
        code: 'CERT_SIGNATURE_ONLY',
        detail: `${profile.id}: signature certificate, not the authentication one ` +
          `(${authentication.detail})`,
      };
    }
    return {
      ok: false,
      code: 'CERT_WRONG_USAGE',
      detail: `${profile.id}: not an authentication certificate (${authentication.detail})`,
    };
  }

  const derived = profile.claims(leaf);
  if (!derived.ok) {
    return { ok: false, code: derived.code, detail: `${profile.id}: ${derived.detail}` };
  }
  return {
    ok: true,
    profile: profile.id,
    claims: derived.claims,
    acr: profile.acr,
    amr: [...profile.amr],
  };
}

type Choice = { ok: true; profile: CardProfile } | { ok: false; detail: string };

function chooseProfile(
  leaf: CertificateFacts,
  context: IdentityContext,
  profiles: readonly CardProfile[],
): Choice {
  if (context.anchorProfile !== undefined) {
    const hinted = profiles.find((profile) => profile.id === context.anchorProfile);
    // A hint naming no configured profile is a deployment error: refuse rather than guess.
    if (!hinted) {
      return { ok: false, detail: `trust anchor names unknown profile "${context.anchorProfile}"` };
    }
    return { ok: true, profile: hinted };
  }

  const matchContext: MatchContext = { issuer: context.issuer };
  if (context.anchorSpkiSha256 !== undefined) {
    matchContext.anchorSpkiSha256 = context.anchorSpkiSha256;
  }
  // A national profile is chosen only for a leaf issued in its country: a CA trusted for
  // one country (without a profile hint) that puts another country's card policy in a leaf
  // must not obtain that country's identities (test/attacks/certificate-forgery.test.ts).
  const issuerCountry = context.issuer.subject.find((attribute) => attribute.oid === '2.5.4.6');
  const sameCountry = (profile: CardProfile) =>
    profile.country === undefined ||
    issuerCountry === undefined ||
    issuerCountry.value.toUpperCase() === profile.country.toUpperCase();
  const matched = profiles.find((profile) => sameCountry(profile) && profile.match(leaf, matchContext));
  if (!matched) return { ok: false, detail: 'no card profile matches the issuer or policies' };
  return { ok: true, profile: matched };
}
