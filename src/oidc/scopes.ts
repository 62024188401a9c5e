/**
 * Scopes and the claims each releases (DESIGN.md "Identity and privacy"). Extend, never
 * rename: relying parties key on these names. Discovery's `claims_supported` and
 * `scopes_supported` come from this table.
 */
export const SCOPE_CLAIMS = {
  // acr, amr and auth_time describe the login itself; every relying party gets them.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name'],
  birthdate: ['birthdate'],
  national_id: ['national_id'],
  eid_certificate: ['eid_certificate'],
} as const;

export type ScopeName = keyof typeof SCOPE_CLAIMS;

export const SCOPES = Object.keys(SCOPE_CLAIMS) as ScopeName[];

/** The scope a claim is released under, for the consent page. */
export function scopeOfClaim(claim: string): ScopeName | undefined {
  return SCOPES.find((scope) => (SCOPE_CLAIMS[scope] as readonly string[]).includes(claim));
}

/** eIDAS levels of assurance, strongest first; the `acr` values this IdP can assert. */
export const ACR_VALUES = [
  'http://eidas.europa.eu/LoA/high',
  'http://eidas.europa.eu/LoA/substantial',
  'http://eidas.europa.eu/LoA/low',
] as const;
