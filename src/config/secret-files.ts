import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Secrets live in files with mode 0600, never in the repository or the logs. When the
 * operator names no file, one is generated in the data directory on first start and reused
 * afterwards, so restarts keep `sub` values, cookies and signing keys stable.
 */

/** Reads `file`; when `generate` is given and the file does not exist, creates it first. */
export function readOrCreateSecretFile(file: string, generate?: () => string): string {
  if (!existsSync(file)) {
    if (!generate) throw new ConfigError('the secret file does not exist', { file });
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, generate(), { mode: 0o600, flag: 'wx' });
  }
  warnIfReadableByOthers(file);
  return readFileSync(file, 'utf8');
}

export function writeSecretFile(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

function warnIfReadableByOthers(file: string): void {
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0) {
    throw new ConfigError(
      `the secret file is readable by other users (mode ${(statSync(file).mode & 0o777).toString(8)}); ` +
        'run chmod 600 on it',
      { file },
    );
  }
}
