import { subjectValue } from '../attributes.js';
import { parseNationalIdentifier, parseSemanticsIdentifier } from '../national-id.js';
import type { CardProfile, IdentifierDeriver } from '../profile.js';
import { allOf, clientAuthIfRestricted, keyUsage, signingOnlyKeyUsage } from '../rules.js';
import {
  AMR_SOFTWARE_KEY,
  defineProfile,
  LOA_SUBSTANTIAL,
  standardDerivers,
} from './common.js';
import { checkSpanishId } from '../national-ids/es.js';

/**
 * Any other qualified certificate of a natural person that follows ETSI EN 319 412-1
 * (serialNumber `IDCxx-…`, `PNOxx-…`, `TINxx-…`, `PASxx-…`, GN, SN), matched last. Spanish
 * qualified CAs long put the bare DNI/NIE in serialNumber, so a valid one under C=ES is read
 * as `IDC`/`ES`. Nothing says where the key lives: `swk` and LoA substantial, which the
 * administrator may raise per issuer in the mapping file.
 */

/** QCP-n, QCP-n-qscd (EN 319 411-2) and the older QCP+, QCP (TS 101 456). */
const QUALIFIED_POLICIES = new Set([
  '0.4.0.194112.1.0',
  '0.4.0.194112.1.2',
  '0.4.0.1456.1.1',
  '0.4.0.1456.1.2',
]);

function isSpanishBare(subjectCountry: string | undefined, raw: string): boolean {
  return subjectCountry === 'ES' && checkSpanishId(raw).ok;
}

const identifier: IdentifierDeriver = (leaf) => {
  const raw = subjectValue(leaf, 'serialNumber');
  if (raw === undefined) return { ok: false, detail: 'subject has no serialNumber attribute' };
  if (isSpanishBare(subjectValue(leaf, 'C'), raw)) {
    return parseNationalIdentifier(raw, { type: 'IDC', country: 'ES' });
  }
  return parseNationalIdentifier(raw);
};

export const etsiNaturalPerson: CardProfile = defineProfile({
  id: 'etsi-natural-person',
  label: 'Qualified certificate of a natural person (ETSI EN 319 412-1)',
  country: undefined,
  match: (leaf) => {
    if (!leaf.policies.some((oid) => QUALIFIED_POLICIES.has(oid))) return false;
    const raw = subjectValue(leaf, 'serialNumber');
    if (raw === undefined) return false;
    return parseSemanticsIdentifier(raw).ok || isSpanishBare(subjectValue(leaf, 'C'), raw);
  },
  purpose: {
    authentication: allOf(keyUsage('digitalSignature'), clientAuthIfRestricted),
    signature: signingOnlyKeyUsage,
  },
  derive: standardDerivers({ identifier, releaseBirthdate: true }),
  acr: LOA_SUBSTANTIAL,
  amr: AMR_SOFTWARE_KEY,
});
