import { subjectValue } from '../attributes.js';
import { deriveClaims, joinName } from '../derive.js';
import {
  birthdateOf,
  parseNationalIdentifier,
  type LegacyIdentifierRule,
} from '../national-id.js';
import type {
  CardProfile,
  ClaimDerivers,
  IdentifierDeriver,
  TextDeriver,
} from '../profile.js';
import type { LevelOfAssurance } from '../types.js';

/** Pieces shared by the built-in card profiles. */

export const LOA_HIGH: LevelOfAssurance = 'http://eidas.europa.eu/LoA/high';
export const LOA_SUBSTANTIAL: LevelOfAssurance = 'http://eidas.europa.eu/LoA/substantial';

/** RFC 8176: a key in a chip card (hardware key, smart card). */
export const AMR_CHIP_CARD: readonly string[] = Object.freeze(['hwk', 'sc']);
/** RFC 8176: a key that may live in software; never claim more than the issuer guarantees. */
export const AMR_SOFTWARE_KEY: readonly string[] = Object.freeze(['swk']);

/** Reads one subject attribute (short name or OID). */
export function subjectAttribute(nameOrOid: string): TextDeriver {
  return (leaf) => subjectValue(leaf, nameOrOid);
}

/** The subject serialNumber as a national identifier (ETSI form, else the legacy rule). */
export function serialNumberIdentifier(legacy?: LegacyIdentifierRule): IdentifierDeriver {
  return (leaf) => {
    const raw = subjectValue(leaf, 'serialNumber');
    if (raw === undefined) return { ok: false, detail: 'subject has no serialNumber attribute' };
    return parseNationalIdentifier(raw, legacy);
  };
}

/** Identifier deriver that also insists on the profile's country. */
export function identifierOfCountry(country: string, inner: IdentifierDeriver): IdentifierDeriver {
  return (leaf) => {
    const result = inner(leaf);
    if (!result.ok || result.id.country === country) return result;
    return { ok: false, detail: `identifier country is not ${country}` };
  };
}

export const nameFromParts: TextDeriver = (_leaf, derived) => joinName(derived);
export const birthdateFromIdentifier: TextDeriver = (_leaf, derived) =>
  derived.national_id ? birthdateOf(derived.national_id) : undefined;
export const noBirthdate: TextDeriver = () => undefined;

/** The usual derivers: GN, SN, name = given then family, identifier from serialNumber. */
export function standardDerivers(options: {
  identifier: IdentifierDeriver;
  releaseBirthdate: boolean;
}): ClaimDerivers {
  return {
    national_id: options.identifier,
    given_name: subjectAttribute('GN'),
    family_name: subjectAttribute('SN'),
    name: nameFromParts,
    birthdate: options.releaseBirthdate ? birthdateFromIdentifier : noBirthdate,
  };
}

/** A profile object from its parts; `claims` runs the derivers. */
export function defineProfile(spec: Omit<CardProfile, 'claims'>): CardProfile {
  const profile: CardProfile = {
    ...spec,
    claims: (leaf) => deriveClaims(profile.derive, leaf),
  };
  return Object.freeze(profile);
}
