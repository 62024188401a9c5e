import type { IdentifierResult } from './national-id.js';
import type {
  CertificateFacts,
  IdentityClaims,
  LevelOfAssurance,
  NationalIdentifier,
} from './types.js';

/**
 * The shape of a card profile: how to recognise a card's certificates, how to tell its
 * authentication certificate from its signature certificate, and how its subject becomes
 * claims. Profiles are plain data and functions so that the administrator's mapping file
 * can copy one and replace any part.
 */

/** A rule's outcome: a refusal always says which condition failed (never personal data). */
export type RuleVerdict = { ok: true } | { ok: false; detail: string };

/** A condition on the leaf certificate. */
export type LeafRule = (leaf: CertificateFacts) => RuleVerdict;

/** What a profile may look at to decide whether a leaf is one of its certificates. */
export interface MatchContext {
  /** Facts of the certificate that issued the leaf. */
  issuer: CertificateFacts;
  /** SHA-256 of the trust anchor's SubjectPublicKeyInfo, lower-case hex, if known. */
  anchorSpkiSha256?: string;
}

/** Claims derived so far, handed to later derivers (`name` reads given and family names). */
export interface PartialClaims {
  national_id?: NationalIdentifier;
  given_name?: string;
  family_name?: string;
  name?: string;
}

/** Derives one text claim; undefined when this certificate does not carry it. */
export type TextDeriver = (leaf: CertificateFacts, derived: PartialClaims) => string | undefined;

/** Derives the national identifier, validated, or says why it cannot. */
export type IdentifierDeriver = (leaf: CertificateFacts) => IdentifierResult;

/** One deriver per claim; derived in the order national_id, names, name, birthdate. */
export interface ClaimDerivers {
  national_id: IdentifierDeriver;
  given_name: TextDeriver;
  family_name: TextDeriver;
  name: TextDeriver;
  /** Released only where the identifier encodes it and the profile allows it. */
  birthdate: TextDeriver;
}

export type ClaimsResult =
  | { ok: true; claims: IdentityClaims }
  | { ok: false; code: 'IDENTIFIER_INVALID'; detail: string };

export interface CardProfile {
  /** Stable id, named by trust anchors and the mapping file, e.g. `es-dnie`. */
  readonly id: string;
  readonly label: string;
  /** ISO 3166-1 alpha-2 of the issuing state; undefined for cross-border profiles. */
  readonly country: string | undefined;
  /** Whether a leaf is one of this profile's certificates (issuer, policy…). */
  match(leaf: CertificateFacts, context: MatchContext): boolean;
  readonly purpose: {
    /** The leaf is this card's authentication certificate, or why not. */
    authentication: LeafRule;
    /** The leaf is this card's signature certificate (a refusal with its own message). */
    signature(leaf: CertificateFacts): boolean;
  };
  readonly derive: ClaimDerivers;
  /** Derives the claims of an authentication certificate of this profile. */
  claims(leaf: CertificateFacts): ClaimsResult;
  readonly acr: LevelOfAssurance;
  readonly amr: readonly string[];
}
