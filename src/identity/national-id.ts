import type { NationalIdentifier } from './types.js';
import { type IdCheck, VALID, invalid } from './national-ids/check.js';
import { belgianBirthdate, checkBelgianNumber } from './national-ids/be.js';
import { checkEstonianCode, estonianBirthdate } from './national-ids/ee.js';
import { checkSpanishId } from './national-ids/es.js';
import { checkFinnishSatu } from './national-ids/fi.js';
import { checkLatvianCode, latvianBirthdate } from './national-ids/lv.js';

/**
 * National identifiers of natural persons: ETSI EN 319 412-1 semantics identifiers
 * (`IDCES-99999999R`, `PNOEE-38001085718`, `PNOLV-210860-10528`, `TINxx-…`, `PASxx-…`) and
 * the bare values older cards carry, which only the card profile can interpret. Every
 * failure detail names the rule broken, never the value.
 */

export type IdentifierResult =
  | { ok: true; id: NationalIdentifier }
  | { ok: false; detail: string };

/** How a profile reads a bare (non-ETSI) serialNumber: its type and country. */
export interface LegacyIdentifierRule {
  type: string;
  country: string;
  /** A literal prefix the card puts before the value (Portugal's `BI`), removed. */
  prefix?: string;
}

const SEMANTICS_IDENTIFIER = /^(IDC|PNO|PAS|TIN)([A-Z]{2})-(.+)$/;

/** Parses an ETSI EN 319 412-1 natural-person semantics identifier, without validating it. */
export function parseSemanticsIdentifier(raw: string): IdentifierResult {
  const parts = SEMANTICS_IDENTIFIER.exec(raw);
  if (!parts) return { ok: false, detail: 'not an ETSI EN 319 412-1 natural-person identifier' };
  const [, type, country, value] = parts;
  return { ok: true, id: { type: type!, country: country!, value: value!, raw } };
}

/**
 * Reads a serialNumber attribute into a validated `NationalIdentifier`: the ETSI form when
 * present, else the profile's rule for bare values. Check digits and letters are verified
 * where the country publishes the rule (ES, EE, BE, LV, FI SATU).
 */
export function parseNationalIdentifier(
  raw: string,
  legacy?: LegacyIdentifierRule,
): IdentifierResult {
  const semantic = parseSemanticsIdentifier(raw);
  const parsed = semantic.ok ? semantic : parseLegacy(raw, legacy);
  if (!parsed.ok) return parsed;

  const check = validateNationalIdentifier(parsed.id);
  if (!check.ok) {
    return { ok: false, detail: `${parsed.id.type}${parsed.id.country}: ${check.detail}` };
  }
  return parsed;
}

function parseLegacy(raw: string, legacy: LegacyIdentifierRule | undefined): IdentifierResult {
  if (!legacy) return { ok: false, detail: 'not an ETSI EN 319 412-1 natural-person identifier' };
  let value = raw;
  if (legacy.prefix !== undefined) {
    if (!raw.startsWith(legacy.prefix)) {
      return { ok: false, detail: `bare identifier lacks the "${legacy.prefix}" prefix` };
    }
    value = raw.slice(legacy.prefix.length);
  }
  if (value.length === 0 || /\s/.test(value)) {
    return { ok: false, detail: 'bare identifier is empty or contains spaces' };
  }
  return { ok: true, id: { type: legacy.type, country: legacy.country, value, raw } };
}

/** Checks the value against its country's rule; identifiers without a known rule pass. */
export function validateNationalIdentifier(id: NationalIdentifier): IdCheck {
  if (id.value.length === 0) return invalid('empty value');
  if (id.type === 'PAS') return VALID;

  switch (id.country) {
    case 'ES':
      return checkSpanishId(id.value);
    case 'EE':
      return id.type === 'PNO' ? checkEstonianCode(id.value) : VALID;
    case 'BE':
      return id.type === 'PNO' ? checkBelgianNumber(id.value) : VALID;
    case 'LV':
      return id.type === 'PNO' ? checkLatvianCode(id.value) : VALID;
    case 'FI':
      return id.type === 'SATU' ? checkFinnishSatu(id.value) : VALID;
    default:
      return VALID;
  }
}

/**
 * The birth date (YYYY-MM-DD) a personal number encodes: Estonian codes, Belgian national
 * register numbers, old-format Latvian codes. Undefined for everything else, including
 * Spanish DNIs, Finnish SATUs, new Latvian codes and invalid values.
 */
export function birthdateOf(id: NationalIdentifier): string | undefined {
  if (id.type !== 'PNO') return undefined;
  if (!validateNationalIdentifier(id).ok) return undefined;

  switch (id.country) {
    case 'EE':
      return estonianBirthdate(id.value);
    case 'BE':
      return belgianBirthdate(id.value);
    case 'LV':
      return latvianBirthdate(id.value);
    default:
      return undefined;
  }
}

export { checkSpanishId } from './national-ids/es.js';
export { checkEstonianCode, estonianBirthdate } from './national-ids/ee.js';
export { checkBelgianNumber, belgianBirthdate } from './national-ids/be.js';
export { checkLatvianCode, latvianBirthdate } from './national-ids/lv.js';
export { checkFinnishSatu } from './national-ids/fi.js';
export type { IdCheck } from './national-ids/check.js';
