import type { CardProfile } from '../profile.js';
import { allOf, clientAuthIfRestricted, hasPolicy, keyUsage, nameHas, policy } from '../rules.js';
import {
  AMR_SOFTWARE_KEY,
  defineProfile,
  identifierOfCountry,
  LOA_SUBSTANTIAL,
  serialNumberIdentifier,
  standardDerivers,
} from './common.js';

/**
 * Spanish FNMT-RCM "Certificado de Persona Física" (AC FNMT Usuarios). Subject: C,
 * serialNumber `IDCES-…`, GN, SN (both surnames), CN "SURNAMES GIVEN - DNI". One certificate
 * serves both authentication and signature, so no certificate of this profile is refused
 * as signature-only. It is usually a software certificate: `swk`, LoA substantial.
 */

export const FNMT_PERSONA_FISICA_POLICY = '1.3.6.1.4.1.5734.3.10.1';

export const esFnmt: CardProfile = defineProfile({
  id: 'es-fnmt',
  label: 'Spain — FNMT-RCM certificado de persona física',
  country: 'ES',
  match: (leaf) =>
    hasPolicy(leaf, FNMT_PERSONA_FISICA_POLICY) ||
    (nameHas(leaf.issuer, 'C', 'ES') &&
      nameHas(leaf.issuer, 'O', 'FNMT-RCM') &&
      nameHas(leaf.issuer, 'CN', 'AC FNMT Usuarios')),
  purpose: {
    authentication: allOf(
      policy(FNMT_PERSONA_FISICA_POLICY),
      keyUsage('digitalSignature'),
      clientAuthIfRestricted,
    ),
    signature: () => false,
  },
  derive: standardDerivers({
    // Older FNMT certificates carry the bare NIF; newer ones the ETSI form.
    identifier: identifierOfCountry('ES', serialNumberIdentifier({ type: 'IDC', country: 'ES' })),
    releaseBirthdate: false,
  }),
  acr: LOA_SUBSTANTIAL,
  amr: AMR_SOFTWARE_KEY,
});
