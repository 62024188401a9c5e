import type { CardProfile } from '../profile.js';
import { allOf, hasKeyUsage, keyUsage, nameHas, withoutKeyUsage } from '../rules.js';
import {
  AMR_CHIP_CARD,
  defineProfile,
  identifierOfCountry,
  LOA_HIGH,
  serialNumberIdentifier,
  standardDerivers,
} from './common.js';

/**
 * Finnish FinEID (DVV, formerly VRK). Subject: C, CN "SURNAME GIVEN SATU", SN, GN,
 * serialNumber the SATU (electronic client identifier), which is not the personal identity
 * code and encodes no birth date. Both certificates carry the same document policy: only
 * the key usage tells them apart.
 */

const FINEID_POLICY_ARC = /^1\.2\.246\.517\./;
const FINEID_ISSUER_CN = /^(VRK|DVV)\b/;

export const fiFineid: CardProfile = defineProfile({
  id: 'fi-fineid',
  label: 'Finland — FinEID (henkilökortti)',
  country: 'FI',
  match: (leaf) =>
    nameHas(leaf.issuer, 'C', 'FI') &&
    (nameHas(leaf.issuer, 'CN', FINEID_ISSUER_CN) ||
      leaf.policies.some((oid) => FINEID_POLICY_ARC.test(oid))),
  purpose: {
    authentication: allOf(keyUsage('digitalSignature'), withoutKeyUsage('nonRepudiation')),
    signature: (leaf) => hasKeyUsage(leaf, 'nonRepudiation'),
  },
  derive: standardDerivers({
    identifier: identifierOfCountry(
      'FI',
      serialNumberIdentifier({ type: 'SATU', country: 'FI' }),
    ),
    releaseBirthdate: false,
  }),
  acr: LOA_HIGH,
  amr: AMR_CHIP_CARD,
});
