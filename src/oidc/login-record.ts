import type { CertificateAccepted } from '../pki/decision.js';
import type { KeyValueStore } from '../store/contract.js';
import type { SubjectDerivation } from './subject.js';
import type { IdentityClaims, LevelOfAssurance } from '../identity/types.js';
import type { ReleaseSnapshot } from './claims-release.js';

/** What the certificate route established about the person, carried to the OIDC origin. */
export interface LoginRecord {
  /** Keyed hash of country and national-identifier value (DESIGN.md "Account id"). */
  accountId: string;
  profile: string;
  acr: LevelOfAssurance;
  amr: string[];
  claims: ReleasableClaims;
  /**
   * The mapping's release rule for the client of this login, taken with the profiles that
   * derived the claims: a reload mid-login cannot mix old claims with new rules.
   */
  release?: ReleaseSnapshot;
}

/** The `eid_certificate` claim: which certificate, and how well it was checked. */
export interface CertificateClaim {
  issuer: string;
  sha256: string;
  profile: string;
  /** The state that issued the document: the issuing CA's C, else the identifier's country. */
  country: string;
  /** `full`: path validated to a pinned anchor with the profile's leaf-purpose rules. */
  validation_level: 'full';
  /**
   * From the revocation step (docs/revocation.md): `good` (OCSP or CRL answered), `soft_fail`
   * (no answer; let through by the profile's soft-fail policy, so the RP may decide to ask
   * for more) or `not_checked`. A revoked certificate never gets this far.
   */
  revocation_status: 'good' | 'not_checked' | 'soft_fail';
  environment: 'production' | 'test';
}

export interface ReleasableClaims extends IdentityClaims {
  eid_certificate: CertificateClaim;
}

/**
 * Claims live with the login's session (never per account: the same person may sign in with
 * a DNIe today and an FNMT certificate tomorrow), for as long as the session does.
 */
export class LoginRecords {
  readonly #store: KeyValueStore;
  readonly #ttlSeconds: number;

  constructor(store: KeyValueStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  async saveForSession(sessionUid: string, record: LoginRecord): Promise<void> {
    await this.#store.set(key(sessionUid), JSON.stringify(record), this.#ttlSeconds);
  }

  async findForSession(sessionUid: string): Promise<LoginRecord | undefined> {
    const text = await this.#store.get(key(sessionUid));
    return text === undefined ? undefined : (JSON.parse(text) as LoginRecord);
  }

  async deleteForSession(sessionUid: string): Promise<void> {
    await this.#store.delete(key(sessionUid));
  }
}

function key(sessionUid: string): string {
  return `login:session:${sessionUid}`;
}

/** The login record of an accepted certificate: account id, claims, acr and amr. */
export function buildLoginRecord(
  decision: CertificateAccepted,
  subjects: SubjectDerivation,
): LoginRecord {
  const { identity, leaf, anchor } = decision;
  const issuerFacts = leaf.facts().issuer;
  const issuerName =
    issuerFacts.find((attribute) => attribute.name === 'CN')?.value ??
    issuerFacts.find((attribute) => attribute.name === 'O')?.value ??
    'unknown';
  return {
    accountId: subjects.accountId(identity.claims.national_id),
    profile: identity.profile,
    acr: identity.acr,
    amr: identity.amr,
    claims: {
      ...identity.claims,
      eid_certificate: {
        issuer: issuerName,
        sha256: leaf.sha256,
        profile: identity.profile,
        country:
          issuerFacts.find((attribute) => attribute.name === 'C')?.value ??
          identity.claims.national_id.country,
        validation_level: 'full',
        revocation_status: decision.revocation,
        environment: anchor.environment,
      },
    },
  };
}
