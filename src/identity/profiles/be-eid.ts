import type { CardProfile } from '../profile.js';
import {
  allOf,
  clientAuthIfRestricted,
  keyUsage,
  nameHas,
  policyMatching,
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
 * Belgian eID: citizen cards (Citizen CA, policy 2.16.56.x.1.1.2.*) and foreigner cards
 * (Foreigner CA, 2.16.56.x.1.1.7.*). Subject: C, CN "Given Surname (Authentication)", SN,
 * GN (first given names), serialNumber the bare 11-digit national register number. The
 * arc's third number changes with each root (10: Root CA2, 12: Root CA4…), so it is a
 * pattern; the last two numbers say authentication (.2) or signature (.1).
 */

function belgianProfile(options: {
  id: string;
  label: string;
  /** 2 for citizens, 7 for foreigners. */
  card: 2 | 7;
  issuerCn: RegExp;
}): CardProfile {
  const arc = (purpose: 1 | 2): RegExp =>
    new RegExp(`^2\\.16\\.56\\.\\d+\\.1\\.1\\.${options.card}\\.${purpose}$`);
  const hasArc = (policies: readonly string[], purpose: 1 | 2): boolean =>
    policies.some((oid) => arc(purpose).test(oid));
  return defineProfile({
    id: options.id,
    label: options.label,
    country: 'BE',
    match: (leaf) =>
      hasArc(leaf.policies, 2) ||
      hasArc(leaf.policies, 1) ||
      (nameHas(leaf.issuer, 'C', 'BE') && nameHas(leaf.issuer, 'CN', options.issuerCn)),
    purpose: {
      authentication: allOf(
        keyUsage('digitalSignature'),
        policyMatching(arc(2), `${options.id} authentication`),
        clientAuthIfRestricted,
      ),
      signature: (leaf) => hasArc(leaf.policies, 1) || signingOnlyKeyUsage(leaf),
    },
    derive: standardDerivers({
      identifier: identifierOfCountry(
        'BE',
        serialNumberIdentifier({ type: 'PNO', country: 'BE' }),
      ),
      releaseBirthdate: true,
    }),
    acr: LOA_HIGH,
    amr: AMR_CHIP_CARD,
  });
}

export const beEid: CardProfile = belgianProfile({
  id: 'be-eid',
  label: 'Belgium — eID (citizen card)',
  card: 2,
  issuerCn: /^(eID TEST (EC )?)?Citizen CA$/,
});

export const beEidForeigner: CardProfile = belgianProfile({
  id: 'be-eid-foreigner',
  label: 'Belgium — eID (foreigner card)',
  card: 7,
  issuerCn: /^(eID TEST (EC )?)?Foreigner CA$/,
});
