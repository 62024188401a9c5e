import { attributeOid, attributeValue, subjectValue } from './attributes.js';
import { parseNationalIdentifier } from './national-id.js';
import type {
  CardProfile,
  ClaimDerivers,
  IdentifierDeriver,
  LeafRule,
  TextDeriver,
} from './profile.js';
import {
  AMR_SOFTWARE_KEY,
  birthdateFromIdentifier,
  defineProfile,
  LOA_SUBSTANTIAL,
  noBirthdate,
  serialNumberIdentifier,
  standardDerivers,
} from './profiles/common.js';
import {
  allOf,
  hasPolicy,
  keyUsage,
  OID_CLIENT_AUTH,
  signingOnlyKeyUsage,
  withoutKeyUsage,
} from './rules.js';
import type {
  ClaimRuleSetting,
  ClaimsSetting,
  IdentifierRuleSetting,
  LeafRuleSetting,
  MatchSetting,
  ProfileSetting,
} from './mapping-schema.js';
import { applyTransforms } from './transforms.js';
import type { CertificateFacts } from './types.js';

/**
 * Turns a validated mapping file into card profiles: overrides replace single derivers of a
 * built-in profile, new profiles are assembled from their match, purpose and claim rules.
 * Everything here runs on input the schema has already checked.
 */

type SourceReader = (leaf: CertificateFacts) => string | undefined;

function sourceOf(rule: ClaimRuleSetting | IdentifierRuleSetting): SourceReader {
  if (rule.fixed !== undefined) {
    const fixed = rule.fixed;
    return () => fixed;
  }
  if (rule.san !== undefined) {
    const { type, oid } = rule.san;
    return (leaf) =>
      leaf.subjectAltNames.find(
        (entry) => entry.type === type && (oid === undefined || entry.oid === oid),
      )?.value;
  }
  const attribute = rule.attribute ?? 'CN';
  return (leaf) => subjectValue(leaf, attribute);
}

/** Source, then the regular-expression capture, then the transforms in order. */
function readerOf(rule: ClaimRuleSetting | IdentifierRuleSetting): SourceReader {
  const source = sourceOf(rule);
  const pattern = rule.regex === undefined ? undefined : new RegExp(rule.regex, 'u');
  const group = rule.group ?? (rule.regex !== undefined && hasCaptureGroup(rule.regex) ? 1 : 0);
  return (leaf) => {
    let value = source(leaf);
    if (value === undefined) return undefined;
    if (pattern) {
      const found = pattern.exec(value);
      const captured = typeof group === 'number' ? found?.[group] : found?.groups?.[group];
      if (captured === undefined) return undefined;
      value = captured;
    }
    return applyTransforms(rule.transforms, value);
  };
}

function hasCaptureGroup(source: string): boolean {
  // One more alternative than the expression's own groups: exec() of "|" always matches.
  const groups = new RegExp(`${source}|`, 'u').exec('');
  return groups !== null && groups.length > 1;
}

function textDeriver(rule: ClaimRuleSetting): TextDeriver {
  const read = readerOf(rule);
  return (leaf) => read(leaf);
}

function identifierDeriver(rule: IdentifierRuleSetting): IdentifierDeriver {
  const source = sourceOf(rule);
  const read = readerOf(rule);
  const legacy =
    rule.type !== undefined && rule.country !== undefined
      ? { type: rule.type, country: rule.country }
      : undefined;
  return (leaf) => {
    const raw = source(leaf);
    const value = read(leaf);
    if (raw === undefined || value === undefined) {
      return { ok: false, detail: 'the mapped identifier source is absent or does not match' };
    }
    const parsed = parseNationalIdentifier(value, legacy);
    // `raw` is the certificate's text as it appears, before regex and transforms.
    return parsed.ok ? { ok: true, id: { ...parsed.id, raw } } : parsed;
  };
}

/** Replaces the derivers the file names; the others stay the base profile's. */
export function compileDerivers(
  base: ClaimDerivers,
  claims: ClaimsSetting | undefined,
): ClaimDerivers {
  if (!claims) return base;
  const derive: ClaimDerivers = { ...base };
  if (claims.national_id) derive.national_id = identifierDeriver(claims.national_id);
  if (claims.given_name) derive.given_name = textDeriver(claims.given_name);
  if (claims.family_name) derive.family_name = textDeriver(claims.family_name);
  if (claims.name) derive.name = textDeriver(claims.name);
  if (claims.birthdate === 'fromIdentifier') derive.birthdate = birthdateFromIdentifier;
  else if (claims.birthdate === 'none') derive.birthdate = noBirthdate;
  else if (claims.birthdate) derive.birthdate = textDeriver(claims.birthdate);
  return derive;
}

function compileMatch(setting: MatchSetting): CardProfile['match'] {
  const issuer = Object.entries(setting.issuer ?? {}).map(
    ([name, value]) => [attributeOid(name)!, value.normalize('NFC')] as const,
  );
  return (leaf, context) => {
    if (setting.anchorSpkiSha256) {
      const pin = context.anchorSpkiSha256?.toLowerCase();
      if (pin === undefined || !setting.anchorSpkiSha256.includes(pin)) return false;
    }
    if (!issuer.every(([oid, value]) => attributeValue(leaf.issuer, oid) === value)) return false;
    if (setting.policies && !setting.policies.some((oid) => hasPolicy(leaf, oid))) return false;
    return true;
  };
}

function compileLeafRule(setting: LeafRuleSetting): LeafRule {
  const rules: LeafRule[] = [];
  for (const usage of setting.keyUsage ?? []) rules.push(keyUsage(usage));
  for (const usage of setting.withoutKeyUsage ?? []) rules.push(withoutKeyUsage(usage));
  if (setting.policies) {
    const policies = setting.policies;
    rules.push((leaf) =>
      policies.some((oid) => hasPolicy(leaf, oid))
        ? { ok: true }
        : { ok: false, detail: `none of the policies ${policies.join(', ')}` },
    );
  }
  if (setting.extendedKeyUsage) {
    const wanted = setting.extendedKeyUsage.map((e) => (e === 'clientAuth' ? OID_CLIENT_AUTH : e));
    rules.push((leaf) =>
      wanted.some((oid) => leaf.extendedKeyUsage?.includes(oid))
        ? { ok: true }
        : { ok: false, detail: 'extendedKeyUsage lacks the configured purposes' },
    );
  }
  return allOf(...rules);
}

function leafPredicate(setting: LeafRuleSetting): (leaf: CertificateFacts) => boolean {
  const rule = compileLeafRule(setting);
  return (leaf) => rule(leaf).ok;
}

/** A built-in profile with the file's claim, acr, amr and label overrides. */
export function overrideProfile(base: CardProfile, setting: ProfileSetting): CardProfile {
  return defineProfile({
    id: base.id,
    label: setting.label ?? base.label,
    country: base.country,
    match: base.match,
    purpose: base.purpose,
    derive: compileDerivers(base.derive, setting.claims),
    acr: setting.acr ?? base.acr,
    amr: setting.amr ?? base.amr,
  });
}

/**
 * A new profile; the schema guarantees `match`, and `purpose` unless there is a base.
 * Without `extends`, it reads GN, SN and an ETSI serialNumber, releases a birth date only
 * where the identifier encodes one, and claims LoA substantial with `swk`: nothing more
 * than an unknown issuer guarantees, unless the file says otherwise.
 */
export function newProfile(
  id: string,
  setting: ProfileSetting,
  base: CardProfile | undefined,
): CardProfile {
  const derivers =
    base?.derive ??
    standardDerivers({ identifier: serialNumberIdentifier(), releaseBirthdate: true });
  const purpose = setting.purpose
    ? {
        authentication: compileLeafRule(setting.purpose.authentication),
        signature: setting.purpose.signature
          ? leafPredicate(setting.purpose.signature)
          : signingOnlyKeyUsage,
      }
    : base!.purpose;
  return defineProfile({
    id,
    label: setting.label ?? base?.label ?? id,
    country: setting.country ?? base?.country,
    match: compileMatch(setting.match!),
    purpose,
    derive: compileDerivers(derivers, setting.claims),
    acr: setting.acr ?? base?.acr ?? LOA_SUBSTANTIAL,
    amr: setting.amr ?? base?.amr ?? AMR_SOFTWARE_KEY,
  });
}


