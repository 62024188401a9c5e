import type { LeafRule, RuleVerdict } from './profile.js';
import type { CertificateFacts, KeyUsageName, NameAttribute } from './types.js';
import { attributeValue } from './attributes.js';

/**
 * Building blocks of the purpose rules in EID-PROFILES.md ("Telling the authentication
 * certificate from the signing one"). Policies match by exact OID or by an explicit
 * pattern: anyPolicy (2.5.29.32.0) never satisfies a rule.
 */

export const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const OID_ANY_EKU = '2.5.29.37.0';
export const OID_ANY_POLICY = '2.5.29.32.0';
/** ETSI EN 319 411-1 NCP+: the policy of authentication certificates on EE and LV cards. */
export const OID_NCP_PLUS = '0.4.0.2042.1.2';
/** ETSI EN 319 411-2 QCP-n-qscd: qualified signature certificates on a QSCD. */
export const OID_QCP_N_QSCD = '0.4.0.194112.1.2';

const OK: RuleVerdict = { ok: true };

function fail(detail: string): RuleVerdict {
  return { ok: false, detail };
}

export function hasKeyUsage(leaf: CertificateFacts, usage: KeyUsageName): boolean {
  return leaf.keyUsage?.includes(usage) ?? false;
}

export function hasPolicy(leaf: CertificateFacts, oid: string): boolean {
  return oid !== OID_ANY_POLICY && leaf.policies.includes(oid);
}

/** The leaf has a keyUsage extension that includes `usage`. */
export function keyUsage(usage: KeyUsageName): LeafRule {
  return (leaf) => {
    if (leaf.keyUsage === undefined) return fail(`no keyUsage extension (${usage} required)`);
    return hasKeyUsage(leaf, usage) ? OK : fail(`keyUsage lacks ${usage}`);
  };
}

/** The leaf's keyUsage does not include `usage`. */
export function withoutKeyUsage(usage: KeyUsageName): LeafRule {
  return (leaf) => (hasKeyUsage(leaf, usage) ? fail(`keyUsage includes ${usage}`) : OK);
}

/** The leaf carries the policy `oid` itself (anyPolicy does not count). */
export function policy(oid: string): LeafRule {
  return (leaf) => (hasPolicy(leaf, oid) ? OK : fail(`policy ${oid} absent`));
}

/** The leaf carries a policy matching `pattern`, described as `label` in refusals. */
export function policyMatching(pattern: RegExp, label: string): LeafRule {
  return (leaf) =>
    leaf.policies.some((oid) => oid !== OID_ANY_POLICY && pattern.test(oid))
      ? OK
      : fail(`no ${label} policy`);
}

/** The leaf carries no policy matching `pattern` (`label` says why that one is excluded). */
export function noPolicyMatching(pattern: RegExp, label: string): LeafRule {
  return (leaf) => (leaf.policies.some((oid) => pattern.test(oid)) ? fail(label) : OK);
}

/** Extended key usage absent, or present with clientAuth (or anyExtendedKeyUsage). */
export const clientAuthIfRestricted: LeafRule = (leaf) => {
  const eku = leaf.extendedKeyUsage;
  if (eku === undefined || eku.includes(OID_CLIENT_AUTH) || eku.includes(OID_ANY_EKU)) return OK;
  return fail('extendedKeyUsage present without clientAuth');
};

/** Extended key usage present and including clientAuth. */
export const clientAuthRequired: LeafRule = (leaf) =>
  leaf.extendedKeyUsage?.includes(OID_CLIENT_AUTH) ? OK : fail('extendedKeyUsage lacks clientAuth');

/** Every rule holds; the refusal names the first that does not. */
export function allOf(...rules: LeafRule[]): LeafRule {
  return (leaf) => {
    for (const rule of rules) {
      const verdict = rule(leaf);
      if (!verdict.ok) return verdict;
    }
    return OK;
  };
}

/** A signing-only key usage: nonRepudiation without digitalSignature. */
export function signingOnlyKeyUsage(leaf: CertificateFacts): boolean {
  return hasKeyUsage(leaf, 'nonRepudiation') && !hasKeyUsage(leaf, 'digitalSignature');
}

/** The name has attribute `nameOrOid` equal to `expected` (exact, after NFC). */
export function nameHas(
  name: readonly NameAttribute[],
  nameOrOid: string,
  expected: string | RegExp,
): boolean {
  const value = attributeValue(name, nameOrOid);
  if (value === undefined) return false;
  return typeof expected === 'string' ? value === expected.normalize('NFC') : expected.test(value);
}
