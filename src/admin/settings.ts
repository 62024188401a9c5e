import type { ServerConfig } from '../config/schema.js';
import { readOrCreateSecretFile } from '../config/secret-files.js';
import { ConfigError } from '../errors.js';

/**
 * How administrators get into /admin on the certificate origin. With neither way in
 * configured the admin surface is not mounted at all (404): never open by default.
 */
export interface AdminSettings {
  /** SHA-256 fingerprints (lower-case hex) of allowed admin client certificates. */
  certificateFingerprints: readonly string[];
  /** The bearer token of the admin API, read from the configured token file. */
  token: string | undefined;
}

export function adminEnabled(settings: AdminSettings | undefined): settings is AdminSettings {
  return (
    settings !== undefined &&
    (settings.certificateFingerprints.length > 0 || settings.token !== undefined)
  );
}

/** The shortest admin token accepted: guessing must be hopeless even without rate limits. */
const MIN_TOKEN_LENGTH = 32;

/**
 * Reads the `admin` settings: the token from its file, which must be private (0600) and
 * hold at least 32 characters.
 *
 * @throws ConfigError naming the file and setting
 */
export function readAdminSettings(admin: ServerConfig['admin']): AdminSettings {
  let token: string | undefined;
  if (admin.tokenFile !== undefined) {
    token = readOrCreateSecretFile(admin.tokenFile).trim();
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(`the admin token must be at least ${MIN_TOKEN_LENGTH} characters`, {
        file: admin.tokenFile,
        setting: 'admin.tokenFile',
      });
    }
  }
  return { certificateFingerprints: admin.certificateFingerprints, token };
}
