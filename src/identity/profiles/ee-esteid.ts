import { subjectValue } from '../attributes.js';
import type { CardProfile, TextDeriver } from '../profile.js';
import {
  allOf,
  hasPolicy,
  keyUsage,
  nameHas,
  noPolicyMatching,
  OID_NCP_PLUS,
  OID_QCP_N_QSCD,
  policy,
  signingOnlyKeyUsage,
} from '../rules.js';
import {
  AMR_CHIP_CARD,
  birthdateFromIdentifier,
  defineProfile,
  identifierOfCountry,
  LOA_HIGH,
  nameFromParts,
  serialNumberIdentifier,
} from './common.js';

/**
 * Estonian ID card, digi-ID and residence permit card: the ESTEID2018 and ESTEID2025 chains
 * (and their test chains), and the older ESTEID-SK 2015 subject layout. Subject: C, CN
 * "SURNAME,GIVEN,CODE", SN, GN, serialNumber `PNOEE-…` (2015: the bare code). The
 * authentication certificate carries NCP+ (0.4.0.2042.1.2) besides the card's own policy;
 * the signature certificate QCP-n-qscd and nonRepudiation.
 */

/** SK's Mobile-ID policy arc: such a key is not on a card, so `hwk`/`sc` would be false. */
const MOBILE_ID_POLICY = /^1\.3\.6\.1\.4\.1\.10015\.1\.3(\.|$)/;

// CN "SURNAME,GIVEN,CODE": the fallback when an old certificate lacks GN or SN. The CN is
// split on its own commas, which here are field separators by the card's specification.
function cnPart(index: number): TextDeriver {
  return (leaf) => {
    const parts = subjectValue(leaf, 'CN')?.split(',');
    return parts?.length === 3 ? parts[index] : undefined;
  };
}

function firstOf(...derivers: TextDeriver[]): TextDeriver {
  return (leaf, derived) => {
    for (const derive of derivers) {
      const value = derive(leaf, derived);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

export const eeEsteid: CardProfile = defineProfile({
  id: 'ee-esteid',
  label: 'Estonia — ID card, digi-ID, residence permit card',
  country: 'EE',
  match: (leaf) => nameHas(leaf.issuer, 'C', 'EE') && nameHas(leaf.issuer, 'CN', /ESTEID/),
  purpose: {
    authentication: allOf(
      keyUsage('digitalSignature'),
      policy(OID_NCP_PLUS),
      noPolicyMatching(MOBILE_ID_POLICY, 'Mobile-ID policy: the key is not on a card'),
    ),
    signature: (leaf) => hasPolicy(leaf, OID_QCP_N_QSCD) || signingOnlyKeyUsage(leaf),
  },
  derive: {
    national_id: identifierOfCountry(
      'EE',
      serialNumberIdentifier({ type: 'PNO', country: 'EE' }),
    ),
    given_name: firstOf((leaf) => subjectValue(leaf, 'GN'), cnPart(1)),
    family_name: firstOf((leaf) => subjectValue(leaf, 'SN'), cnPart(0)),
    name: nameFromParts,
    birthdate: birthdateFromIdentifier,
  },
  acr: LOA_HIGH,
  amr: AMR_CHIP_CARD,
});
