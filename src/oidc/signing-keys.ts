import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { readOrCreateSecretFile } from '../config/secret-files.js';

export interface PrivateJwks {
  keys: (JsonWebKey & { kid: string; alg: string; use: 'sig' })[];
}

/**
 * Loads the ID-token signing keys (a private JWKS file), creating RS256 and ES256 keys on
 * first start. The first key of each algorithm signs; the others are only published, which
 * is how a rotation introduces a key before it signs and keeps an old one for verification.
 */
export function loadSigningKeys(file: string, createIfMissing: boolean): PrivateJwks {
  const text = readOrCreateSecretFile(file, createIfMissing ? generateJwks : undefined);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('not a JSON Web Key Set', { file, setting: 'secrets.signingKeysFile' });
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError('the key set has no keys', { file, setting: 'secrets.signingKeysFile' });
  }
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || !('d' in key) || !('kid' in key)) {
      throw new ConfigError(`keys[${index}] is not a private key with a kid`, {
        file,
        setting: 'secrets.signingKeysFile',
      });
    }
  }
  return parsed as PrivateJwks;
}

export function generateJwks(): string {
  return `${JSON.stringify({ keys: [newSigningKey('RS256'), newSigningKey('ES256')] }, null, 2)}\n`;
}

export function newSigningKey(alg: 'RS256' | 'ES256'): PrivateJwks['keys'][number] {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
}
