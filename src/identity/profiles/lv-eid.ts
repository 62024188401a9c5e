import type { CardProfile } from '../profile.js';
import {
  allOf,
  clientAuthIfRestricted,
  hasPolicy,
  keyUsage,
  nameHas,
  OID_NCP_PLUS,
  OID_QCP_N_QSCD,
  policy,
  signingOnlyKeyUsage,
} from '../rules.js';
import {
  AMR_CHIP_CARD,
  defineProfile,
  identifierOfCountry,
  LOA_HIGH,
  serialNumberIdentifier,
  standardDerivers,
} from './common.js';

/**
 * Latvian eID card (eParaksts, VAS LVRTC). Subject: C, CN "GIVEN SURNAME", SN, GN,
 * serialNumber `PNOLV-DDMMYY-NNNNN` with a hyphen inside the code. Authentication: NCP+ and
 * clientAuth; signature: QCP-n-qscd and nonRepudiation.
 */

const LVRTC_ORGANIZATION_ID = 'NTRLV-40003011203';

export const lvEid: CardProfile = defineProfile({
  id: 'lv-eid',
  label: 'Latvia — eID card',
  country: 'LV',
  match: (leaf) =>
    nameHas(leaf.issuer, 'C', 'LV') &&
    (nameHas(leaf.issuer, 'organizationIdentifier', LVRTC_ORGANIZATION_ID) ||
      nameHas(leaf.issuer, 'CN', /\beID ICA\b/)),
  purpose: {
    authentication: allOf(
      keyUsage('digitalSignature'),
      policy(OID_NCP_PLUS),
      clientAuthIfRestricted,
    ),
    signature: (leaf) => hasPolicy(leaf, OID_QCP_N_QSCD) || signingOnlyKeyUsage(leaf),
  },
  derive: standardDerivers({
    identifier: identifierOfCountry(
      'LV',
      serialNumberIdentifier({ type: 'PNO', country: 'LV' }),
    ),
    releaseBirthdate: true,
  }),
  acr: LOA_HIGH,
  amr: AMR_CHIP_CARD,
});
