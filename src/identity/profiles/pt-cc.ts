import { subjectValue } from '../attributes.js';
import type { CardProfile, LeafRule } from '../profile.js';
import { allOf, keyUsage, nameHas, signingOnlyKeyUsage, withoutKeyUsage } from '../rules.js';
import {
  AMR_CHIP_CARD,
  defineProfile,
  identifierOfCountry,
  LOA_HIGH,
  nameFromParts,
  serialNumberIdentifier,
  subjectAttribute,
  noBirthdate,
} from './common.js';

/**
 * Portuguese Cartão de Cidadão. The card's two certificates come from two sub-CAs: "EC de
 * Autenticação do Cartão de Cidadão 00xx" and "EC de Assinatura Digital Qualificada do
 * Cartão de Cidadão 00xx", which is what tells them apart. Subject: C, GN, SN, the full
 * name in CN, serialNumber `BI` + civil identification number + check digit. No public
 * leaf exists; the tests use generated certificates shaped like the specification.
 */

const AUTHENTICATION_CA = /^(\(Teste\) )?EC de Autenticação do Cartão de Cidadão\b/;
const SIGNATURE_CA = /^(\(Teste\) )?EC de Assinatura Digital Qualificada do Cartão de Cidadão\b/;

const issuedByAuthenticationCa: LeafRule = (leaf) =>
  nameHas(leaf.issuer, 'CN', AUTHENTICATION_CA)
    ? { ok: true }
    : { ok: false, detail: 'not issued by an "EC de Autenticação" sub-CA' };

export const ptCc: CardProfile = defineProfile({
  id: 'pt-cc',
  label: 'Portugal — Cartão de Cidadão',
  country: 'PT',
  match: (leaf) =>
    nameHas(leaf.issuer, 'C', 'PT') &&
    (nameHas(leaf.issuer, 'CN', AUTHENTICATION_CA) || nameHas(leaf.issuer, 'CN', SIGNATURE_CA)),
  purpose: {
    authentication: allOf(
      issuedByAuthenticationCa,
      keyUsage('digitalSignature'),
      withoutKeyUsage('nonRepudiation'),
    ),
    signature: (leaf) => nameHas(leaf.issuer, 'CN', SIGNATURE_CA) || signingOnlyKeyUsage(leaf),
  },
  derive: {
    national_id: identifierOfCountry(
      'PT',
      serialNumberIdentifier({ type: 'IDC', country: 'PT', prefix: 'BI' }),
    ),
    given_name: subjectAttribute('GN'),
    family_name: subjectAttribute('SN'),
    // The CN holds the full name; it is the fallback when GN and SN are missing.
    name: (leaf, derived) => nameFromParts(leaf, derived) ?? subjectValue(leaf, 'CN'),
    birthdate: noBirthdate,
  },
  acr: LOA_HIGH,
  amr: AMR_CHIP_CARD,
});
