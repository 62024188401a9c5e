import { existsSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { loadServerConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { loadSigningKeys, newSigningKey, type PrivateJwks } from '../oidc/signing-keys.js';
import { dataDirectoryLayout } from './first-start.js';

/**
 * `eid-idp keys list|add|promote|retire`: rotation of the ID-token signing keys in the private
 * JWKS file (docs/operations/key-rotation.md).
 *
 * oidc-provider signs with the first key of the wanted algorithm and publishes them all. So a
 * rotation is three edits, each rolled out to every instance before the next:
 *   add      a new key at the end: published, not yet signing (relying parties fetch it);
 *   promote  it to the front of its algorithm: it signs, the old one is still published;
 *   retire   the old key once no token it signed is still valid.
 */

export type SigningAlg = 'RS256' | 'ES256';
type SigningKey = PrivateJwks['keys'][number];

export class KeyRotationError extends Error {
  override name = 'KeyRotationError';
}

export interface KeyStatus {
  kid: string;
  alg: string;
  /** `signing`: the first key of its algorithm; `published`: verification only. */
  role: 'signing' | 'published';
}

export function describeKeys(jwks: PrivateJwks): KeyStatus[] {
  const seen = new Set<string>();
  return jwks.keys.map((key) => {
    const role = seen.has(key.alg) ? 'published' : 'signing';
    seen.add(key.alg);
    return { kid: key.kid, alg: key.alg, role };
  });
}

/** Appends a new key: published from the next restart, signing only once promoted. */
export function addKey(jwks: PrivateJwks, alg: SigningAlg): { jwks: PrivateJwks; kid: string } {
  const key = newSigningKey(alg);
  return { jwks: { keys: [...jwks.keys, key] }, kid: key.kid };
}

/** Moves `kid` before every other key of its algorithm, so it signs. */
export function promoteKey(jwks: PrivateJwks, kid: string): PrivateJwks {
  const key = findKey(jwks, kid);
  const index = jwks.keys.indexOf(key);
  const firstOfAlg = jwks.keys.findIndex((candidate) => candidate.alg === key.alg);
  if (index === firstOfAlg) throw new KeyRotationError(`key ${kid} already signs ${key.alg}`);
  const rest = jwks.keys.filter((candidate) => candidate !== key);
  return { keys: [...rest.slice(0, firstOfAlg), key, ...rest.slice(firstOfAlg)] };
}

/** Removes `kid`; never the key that signs, and never the last key of an algorithm. */
export function retireKey(jwks: PrivateJwks, kid: string): PrivateJwks {
  const key = findKey(jwks, kid);
  const status = describeKeys(jwks).find((entry) => entry.kid === kid)!;
  if (status.role === 'signing') {
    throw new KeyRotationError(
      `key ${kid} is the ${key.alg} signing key; promote another ${key.alg} key first`,
    );
  }
  return { keys: jwks.keys.filter((candidate) => candidate !== key) };
}

function findKey(jwks: PrivateJwks, kid: string): SigningKey {
  const key = jwks.keys.find((candidate) => candidate.kid === kid);
  if (!key) {
    const known = jwks.keys.map((candidate) => candidate.kid).join(', ');
    throw new KeyRotationError(`no key with kid "${kid}" (known: ${known})`);
  }
  return key;
}

/**
 * Replaces the file in one step (write beside it, then rename), mode 0600: an instance that
 * starts while the command runs reads the old set or the new one, never half a file.
 */
export function writeJwksFile(file: string, jwks: PrivateJwks): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

const USAGE = `Usage: eid-idp keys <list|add|promote|retire> [options]

  list                         the keys, their algorithm and whether they sign
  add [--alg RS256|ES256]      append a new key (published, not signing); default RS256
  promote <kid>                make a published key the signing key of its algorithm
  retire <kid>                 remove a key that no longer signs

  --file <jwks.json>           the private JWKS (default: secrets.signingKeysFile of the
                               configuration named by EID_IDP_CONFIG, or the data directory's)

After each change, restart every instance (one by one) before the next step.
See docs/operations/key-rotation.md.`;

/** The command line; returns the exit code. */
export async function keysCommand(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const { positional, file: fileOption, alg } = parseArguments(argv);
    const [action, kid] = positional;
    const file = fileOption ?? configuredKeysFile();
    if (!existsSync(file)) throw new KeyRotationError(`${file} does not exist`);
    const jwks = loadSigningKeys(file, false);
    switch (action) {
      case 'list':
        printKeys(file, jwks);
        return 0;
      case 'add': {
        const added = addKey(jwks, alg);
        writeJwksFile(file, added.jwks);
        process.stdout.write(
          `Added ${alg} key ${added.kid} (published, not signing).\n` +
            'Restart every instance, wait until relying parties have refreshed their JWKS ' +
            `cache, then: eid-idp keys promote ${added.kid}\n`,
        );
        return 0;
      }
      case 'promote': {
        if (!kid) throw new KeyRotationError('promote needs the kid of the key');
        writeJwksFile(file, promoteKey(jwks, kid));
        process.stdout.write(
          `Key ${kid} now signs. Restart every instance; retire the previous key once the ` +
            'tokens it signed have expired.\n',
        );
        return 0;
      }
      case 'retire': {
        if (!kid) throw new KeyRotationError('retire needs the kid of the key');
        writeJwksFile(file, retireKey(jwks, kid));
        process.stdout.write(`Key ${kid} removed. Restart every instance to stop publishing it.\n`);
        return 0;
      }
      default:
        process.stderr.write(`Unknown keys action "${action}".\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof KeyRotationError || error instanceof ConfigError) {
      process.stderr.write(`eid-idp keys: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function parseArguments(argv: string[]): { positional: string[]; file?: string; alg: SigningAlg } {
  const positional: string[] = [];
  let file: string | undefined;
  let alg: SigningAlg = 'RS256';
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--file') {
      file = argv[++index];
      if (!file) throw new KeyRotationError('--file needs a path');
      file = path.resolve(file);
    } else if (argument === '--alg') {
      const value = argv[++index];
      if (value !== 'RS256' && value !== 'ES256') {
        throw new KeyRotationError(`--alg must be RS256 or ES256, got "${value ?? ''}"`);
      }
      alg = value;
    } else {
      positional.push(argument);
    }
  }
  return { positional, ...(file ? { file } : {}), alg };
}

function configuredKeysFile(): string {
  const config = loadServerConfig();
  return config.secrets.signingKeysFile ?? dataDirectoryLayout(config.dataDir).signingKeysFile;
}

function printKeys(file: string, jwks: PrivateJwks): void {
  const lines = [`${file}:`];
  for (const key of describeKeys(jwks)) {
    lines.push(`  ${key.kid}  ${key.alg}  ${key.role}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
