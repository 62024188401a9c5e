import { readFileSync } from 'node:fs';
import { dottedPath, parseYamlText } from '../config/yaml-source.js';
import { ConfigError } from '../errors.js';
import { newProfile, overrideProfile } from './mapping-compile.js';
import {
  mappingFileSchema,
  RELEASABLE_CLAIMS,
  type MappingFileSetting,
  type ReleasableClaim,
} from './mapping-schema.js';
import type { CardProfile } from './profile.js';
import { builtInProfiles } from './profiles/index.js';

/**
 * The administrator's claim-mapping file (docs/claim-mapping.md): new profiles for new
 * issuers, overrides of how a built-in profile derives each claim, its acr and amr, and
 * which claims each client may receive. A broken file is refused with a ConfigError that
 * names the file, the line and the setting.
 */

/** One loaded mapping: the profiles in matching order and the per-client restrictions. */
export interface ClaimMapping {
  /** Profiles to hand to `mapIdentity`: the file's new ones first, then the built-in ones. */
  readonly profiles: readonly CardProfile[];
  /** Clients restricted to a set of claims; a client not listed gets what its scopes allow. */
  readonly clients: ReadonlyMap<string, ReadonlySet<ReleasableClaim>>;
  /** The file it came from; undefined for the built-in default. */
  readonly file: string | undefined;
}

/** The mapping in force when no file is configured: built-in profiles, no restrictions. */
export function defaultMapping(
  profiles: readonly CardProfile[] = builtInProfiles,
): ClaimMapping {
  return { profiles, clients: new Map(), file: undefined };
}

/**
 * Parses and compiles mapping text.
 *
 * @throws ConfigError naming file, line and setting when the text is not a valid mapping
 */
export function parseMappingText(
  text: string,
  file: string,
  builtIns: readonly CardProfile[] = builtInProfiles,
): ClaimMapping {
  const source = parseYamlText(text, file);
  const schema = mappingFileSchema(new Set(builtIns.map((profile) => profile.id)));
  const parsed = schema.safeParse(source.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = source.lineOf(issue.path);
    const where: { file: string; line?: number; setting?: string } = { file };
    if (line !== undefined) where.line = line;
    if (issue.path.length > 0) where.setting = dottedPath(issue.path);
    const more = parsed.error.issues.length - 1;
    const suffix = more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : '';
    throw new ConfigError(`${issue.message}${suffix}`, where);
  }
  return compileMapping(parsed.data, file, builtIns);
}

/**
 * Reads, parses and compiles a mapping file.
 *
 * @throws ConfigError when the file cannot be read or is not a valid mapping
 */
export function loadMappingFile(
  file: string,
  builtIns: readonly CardProfile[] = builtInProfiles,
): ClaimMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(`cannot read the file (${code})`, { file });
  }
  return parseMappingText(text, file, builtIns);
}

function compileMapping(
  setting: MappingFileSetting,
  file: string,
  builtIns: readonly CardProfile[],
): ClaimMapping {
  const byId = new Map(builtIns.map((profile) => [profile.id, profile]));
  const added: CardProfile[] = [];
  const overridden = new Map<string, CardProfile | undefined>();

  for (const [id, profileSetting] of Object.entries(setting.profiles)) {
    const builtIn = byId.get(id);
    if (builtIn) {
      const replacement = profileSetting.enabled
        ? overrideProfile(builtIn, profileSetting)
        : undefined;
      overridden.set(id, replacement);
      continue;
    }
    if (!profileSetting.enabled) continue;
    const base =
      profileSetting.extends === undefined ? undefined : byId.get(profileSetting.extends);
    added.push(newProfile(id, profileSetting, base));
  }

  // The administrator's own issuers are matched before the built-in cards and the generic
  // ETSI profile, which would otherwise claim any qualified certificate first.
  const profiles = [
    ...added,
    ...builtIns
      .map((profile) => (overridden.has(profile.id) ? overridden.get(profile.id) : profile))
      .filter((profile): profile is CardProfile => profile !== undefined),
  ];
  const clients = new Map(
    Object.entries(setting.clients).map(([id, client]) => [id, new Set(client.claims)] as const),
  );
  return { profiles: Object.freeze(profiles), clients, file };
}

/**
 * The claims a client may receive under the mapping, or undefined when the file does not
 * restrict it (its scopes and the person's consent still apply).
 */
export function allowedClaims(
  mapping: ClaimMapping,
  clientId: string,
): ReadonlySet<ReleasableClaim> | undefined {
  return mapping.clients.get(clientId);
}

/** Removes from `claims` every claim the mapping does not let `clientId` receive. */
export function restrictClaims<T extends object>(
  mapping: ClaimMapping,
  clientId: string,
  claims: T,
): Partial<T> {
  const allowed = allowedClaims(mapping, clientId);
  if (!allowed) return { ...claims };
  const releasable = new Set<string>(RELEASABLE_CLAIMS);
  return Object.fromEntries(
    Object.entries(claims).filter(
      // Claims outside the mapping's vocabulary (sub, acr, amr…) are not its to restrict.
      ([name]) => !releasable.has(name) || allowed.has(name as ReleasableClaim),
    ),
  ) as Partial<T>;
}
