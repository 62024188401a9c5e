import { z } from 'zod';
import { attributeOid } from './attributes.js';
import { TRANSFORM_NAMES, type Transform } from './transforms.js';
import type { KeyUsageName, LevelOfAssurance } from './types.js';

/**
 * Schema of the administrator's claim-mapping file (docs/claim-mapping.md). Every check that
 * can fail on a file written by hand lives here, so that the error names the setting and
 * its line; compiling a parsed file into profiles cannot fail.
 */

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const ANY_POLICY = '2.5.29.32.0';

const oid = z.string().regex(OID, 'must be a dotted OID such as 1.2.3.4');

const policyOid = oid.refine((value) => value !== ANY_POLICY, {
  message: 'anyPolicy (2.5.29.32.0) never identifies a card; name the card\'s own policy',
});

const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const satisfies readonly KeyUsageName[];

/** RFC 8176 authentication method reference values. */
const AMR_VALUES = [
  'face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd', 'rba',
  'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia',
] as const;

/** Claims the mapping derives and a client may be restricted to. */
export const RELEASABLE_CLAIMS = [
  'given_name',
  'family_name',
  'name',
  'birthdate',
  'national_id',
  'eid_certificate',
] as const;
export type ReleasableClaim = (typeof RELEASABLE_CLAIMS)[number];

const LOA: Readonly<Record<string, LevelOfAssurance>> = {
  high: 'http://eidas.europa.eu/LoA/high',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  low: 'http://eidas.europa.eu/LoA/low',
};

const acr = z.string().transform((value, ctx): LevelOfAssurance => {
  const level = LOA[value] ?? Object.values(LOA).find((uri) => uri === value);
  if (level) return level;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: 'must be high, substantial, low or an http://eidas.europa.eu/LoA/… URI',
  });
  return z.NEVER;
});

const attributeName = z.string().refine((value) => attributeOid(value) !== undefined, {
  message: 'unknown attribute: use a short name (GN, SN, CN, serialNumber…) or a dotted OID',
});

const regex = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value, 'u');
  } catch (error) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `invalid regular expression: ${(error as Error).message}`,
    });
  }
});

const TRANSFORM_LIST = TRANSFORM_NAMES.join(', ');

/** `trim`, `nfc`, `titleCase`, `{ stripPrefix: "…" }`, `{ splitCn: { part, separator } }`. */
const transform = z.unknown().transform((value, ctx): Transform => {
  if (value === 'trim' || value === 'nfc' || value === 'titleCase') return { kind: value };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [name, argument] = entries[0] ?? [];
    if (entries.length === 1 && name === 'stripPrefix' && typeof argument === 'string') {
      if (argument.length > 0) return { kind: 'stripPrefix', prefix: argument };
    }
    if (entries.length === 1 && name === 'splitCn') {
      const parsed = splitCnArgument.safeParse(argument);
      if (parsed.success) return { kind: 'splitCn', ...parsed.data };
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'splitCn takes { part: <index from 0>, separator: "<text>" (default ",") }',
      });
      return z.NEVER;
    }
  }
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: `unknown transform ${shown}; known: ${TRANSFORM_LIST} (stripPrefix and splitCn ` +
      'take an argument)',
  });
  return z.NEVER;
});

const splitCnArgument = z
  .object({ part: z.number().int().min(0), separator: z.string().min(1).default(',') })
  .strict();

const sanSource = z
  .object({
    type: z.enum(['email', 'dns', 'uri', 'ip', 'directoryName', 'otherName']),
    /** otherName type OID. */
    oid: oid.optional(),
  })
  .strict();

const claimRuleShape = {
  /** Subject attribute by short name or dotted OID. */
  attribute: attributeName.optional(),
  /** First subjectAltName entry of this type. */
  san: sanSource.optional(),
  /** A fixed value. */
  fixed: z.string().optional(),
  /** Regular expression applied to the source; the claim is the capture group `group`. */
  regex: regex.optional(),
  group: z.union([z.number().int().min(0), z.string().min(1)]).optional(),
  transforms: z.array(transform).default([]),
};

function exactlyOneSource(
  rule: { attribute?: unknown; san?: unknown; fixed?: unknown; regex?: unknown; group?: unknown },
  ctx: z.RefinementCtx,
): void {
  const sources = [rule.attribute, rule.san, rule.fixed].filter((s) => s !== undefined).length;
  if (sources !== 1) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'give exactly one source: attribute, san or fixed',
    });
  }
  if (rule.group !== undefined && rule.regex === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['group'], message: 'group needs regex' });
  }
}

const claimRule = z.object(claimRuleShape).strict().superRefine(exactlyOneSource);
export type ClaimRuleSetting = z.infer<typeof claimRule>;

const identifierRule = z
  .object({
    ...claimRuleShape,
    /** For bare (non-ETSI) values: the identifier type (IDC, PNO…) and country. */
    type: z
      .string()
      .regex(/^[A-Z]{2,8}$/, 'must be upper-case letters, e.g. IDC or PNO')
      .optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    exactlyOneSource(rule, ctx);
    if ((rule.type === undefined) !== (rule.country === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'type and country go together (they read bare, non-ETSI values)',
      });
    }
  });
export type IdentifierRuleSetting = z.infer<typeof identifierRule>;

const claims = z
  .object({
    national_id: identifierRule.optional(),
    given_name: claimRule.optional(),
    family_name: claimRule.optional(),
    name: claimRule.optional(),
    /** `fromIdentifier` (where it encodes one), `none`, or a rule. */
    birthdate: z.union([z.enum(['fromIdentifier', 'none']), claimRule]).optional(),
  })
  .strict();
export type ClaimsSetting = z.infer<typeof claims>;

const match = z
  .object({
    /** SHA-256 of the trust anchor's SubjectPublicKeyInfo, hex; any of. */
    anchorSpkiSha256: z
      .array(z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').toLowerCase())
      .min(1)
      .optional(),
    /** Issuer attributes that must all be equal (exact, NFC). */
    issuer: z.record(attributeName, z.string().min(1)).optional(),
    /** Leaf policies; any of. */
    policies: z.array(policyOid).min(1).optional(),
  })
  .strict()
  .refine((m) => m.anchorSpkiSha256 ?? m.issuer ?? m.policies, {
    message: 'give at least one of anchorSpkiSha256, issuer, policies',
  });
export type MatchSetting = z.infer<typeof match>;

const leafRule = z
  .object({
    /** Key usages that must all be present. */
    keyUsage: z.array(z.enum(KEY_USAGES)).optional(),
    /** Key usages that must all be absent. */
    withoutKeyUsage: z.array(z.enum(KEY_USAGES)).optional(),
    /** Leaf policies; any of. */
    policies: z.array(policyOid).min(1).optional(),
    /** Extended key usages (OIDs or `clientAuth`); any of, and the extension must exist. */
    extendedKeyUsage: z.array(z.union([z.literal('clientAuth'), oid])).min(1).optional(),
  })
  .strict()
  .refine((r) => r.keyUsage ?? r.withoutKeyUsage ?? r.policies ?? r.extendedKeyUsage, {
    message: 'give at least one of keyUsage, withoutKeyUsage, policies, extendedKeyUsage',
  });
export type LeafRuleSetting = z.infer<typeof leafRule>;

const profileSetting = z
  .object({
    /** For a new profile: the built-in profile it starts from. */
    extends: z.string().optional(),
    enabled: z.boolean().default(true),
    label: z.string().min(1).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').optional(),
    match: match.optional(),
    purpose: z
      .object({ authentication: leafRule, signature: leafRule.optional() })
      .strict()
      .optional(),
    claims: claims.optional(),
    acr: acr.optional(),
    amr: z.array(z.enum(AMR_VALUES)).min(1).optional(),
  })
  .strict();
export type ProfileSetting = z.infer<typeof profileSetting>;

const profileId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'profile ids are lower-case letters, digits and hyphens');

/** The whole file. `builtInIds` decides which keys override and which add a profile. */
export function mappingFileSchema(builtInIds: ReadonlySet<string>) {
  return z
    .object({
      // Required: a file truncated by a write in progress must not read as "no settings".
      version: z.literal(1, {
        errorMap: () => ({ message: 'must be 1 (the file starts with "version: 1")' }),
      }),
      profiles: z.record(profileId, profileSetting).default({}),
      clients: z
        .record(
          z.string().min(1),
          z.object({ claims: z.array(z.enum(RELEASABLE_CLAIMS)) }).strict(),
        )
        .default({}),
    })
    .strict()
    .superRefine((file, ctx) => {
      for (const [id, profile] of Object.entries(file.profiles)) {
        checkProfile(id, profile, builtInIds, ctx);
      }
    });
}
export type MappingFileSetting = z.infer<ReturnType<typeof mappingFileSchema>>;

function checkProfile(
  id: string,
  profile: ProfileSetting,
  builtInIds: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  const issue = (path: string[], message: string): void =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['profiles', id, ...path], message });

  if (builtInIds.has(id)) {
    // A built-in card's recognition and purpose rules encode its issuer's policy: changing
    // them in place would silently weaken every deployment's reading of that card.
    for (const key of ['extends', 'match', 'purpose', 'country'] as const) {
      if (profile[key] !== undefined) {
        issue([key], `cannot be changed on built-in profile ${id}; add a new profile ` +
          `with "extends: ${id}" instead`);
      }
    }
    return;
  }
  if (profile.extends !== undefined && !builtInIds.has(profile.extends)) {
    issue(['extends'], `names no built-in profile (known: ${[...builtInIds].join(', ')})`);
  }
  if (profile.match === undefined) issue([], 'a new profile needs match');
  if (profile.purpose === undefined && profile.extends === undefined) {
    issue([], 'a new profile needs purpose (or extends a built-in profile)');
  }
}
