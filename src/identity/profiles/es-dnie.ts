import type { CardProfile } from '../profile.js';
import {
  allOf,
  hasPolicy,
  keyUsage,
  nameHas,
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
 * Spanish DNIe 3.0/4.0 (Dirección General de la Policía). Subject: C, serialNumber (bare DNI
 * with check letter), SN (both surnames), GN, CN "SURNAMES, GIVEN (AUTENTICACIÓN)". The card
 * carries two certificates under the same CA; the policy OID tells them apart.
 */

export const DNIE_AUTHENTICATION_POLICY = '2.16.724.1.2.2.2.4';
export const DNIE_SIGNATURE_POLICY = '2.16.724.1.2.2.2.3';

export const esDnie: CardProfile = defineProfile({
  id: 'es-dnie',
  label: 'Spain — DNIe (Documento Nacional de Identidad electrónico)',
  country: 'ES',
  match: (leaf) =>
    hasPolicy(leaf, DNIE_AUTHENTICATION_POLICY) ||
    hasPolicy(leaf, DNIE_SIGNATURE_POLICY) ||
    (nameHas(leaf.issuer, 'C', 'ES') &&
      nameHas(leaf.issuer, 'O', 'DIRECCION GENERAL DE LA POLICIA') &&
      nameHas(leaf.issuer, 'OU', 'DNIE')),
  purpose: {
    authentication: allOf(keyUsage('digitalSignature'), policy(DNIE_AUTHENTICATION_POLICY)),
    signature: (leaf) => hasPolicy(leaf, DNIE_SIGNATURE_POLICY) || signingOnlyKeyUsage(leaf),
  },
  derive: standardDerivers({
    identifier: identifierOfCountry(
      'ES',
      serialNumberIdentifier({ type: 'IDC', country: 'ES' }),
    ),
    // A DNI does not encode the birth date.
    releaseBirthdate: false,
  }),
  acr: LOA_HIGH,
  amr: AMR_CHIP_CARD,
});
