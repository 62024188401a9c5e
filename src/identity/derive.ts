import type { ClaimDerivers, ClaimsResult, PartialClaims } from './profile.js';
import type { CertificateFacts, IdentityClaims } from './types.js';

/**
 * Runs a profile's derivers over one leaf. Every text claim is NFC-normalised and otherwise
 * kept exactly as the card has it: no case folding, no accent stripping.
 */
export function deriveClaims(derive: ClaimDerivers, leaf: CertificateFacts): ClaimsResult {
  const identifier = derive.national_id(leaf);
  if (!identifier.ok) {
    return { ok: false, code: 'IDENTIFIER_INVALID', detail: identifier.detail };
  }

  const partial: PartialClaims = { national_id: identifier.id };
  const given = clean(derive.given_name(leaf, partial));
  if (given !== undefined) partial.given_name = given;
  const family = clean(derive.family_name(leaf, partial));
  if (family !== undefined) partial.family_name = family;
  const name = clean(derive.name(leaf, partial));
  if (name !== undefined) partial.name = name;

  const claims: IdentityClaims = { national_id: identifier.id };
  if (partial.given_name !== undefined) claims.given_name = partial.given_name;
  if (partial.family_name !== undefined) claims.family_name = partial.family_name;
  if (partial.name !== undefined) claims.name = partial.name;
  const birthdate = clean(derive.birthdate(leaf, partial));
  if (birthdate !== undefined) claims.birthdate = birthdate;
  return { ok: true, claims };
}

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalised = value.normalize('NFC').trim();
  return normalised.length > 0 ? normalised : undefined;
}

/** `name` as DESIGN.md defines it: given name then family name, whichever exist. */
export function joinName(derived: PartialClaims): string | undefined {
  const parts = [derived.given_name, derived.family_name].filter(
    (part): part is string => part !== undefined,
  );
  return parts.length > 0 ? parts.join(' ') : undefined;
}
