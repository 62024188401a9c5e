import path from 'node:path';
import type { ZodIssue } from 'zod';
import { ConfigError } from '../errors.js';
import { serverConfigSchema, type ServerConfig } from './schema.js';
import { dottedPath, readYamlFile, type YamlSource } from './yaml-source.js';

/**
 * Environment variables, each overriding one setting of the server file. Listed here once;
 * the README's settings table is generated from the same names.
 */
export const ENVIRONMENT_SETTINGS = {
  EID_IDP_CONFIG: 'path of the server YAML file (optional)',
  EID_IDP_ISSUER: 'issuer',
  EID_IDP_CERTIFICATE_ORIGIN: 'certificateOrigin',
  EID_IDP_HOST: 'listen.oidc.host and listen.certificate.host',
  EID_IDP_OIDC_PORT: 'listen.oidc.port',
  EID_IDP_CERTIFICATE_PORT: 'listen.certificate.port',
  EID_IDP_DATA_DIR: 'dataDir',
  EID_IDP_TRUST_DIRS: 'trust.directories (added; separated by the platform path delimiter)',
  EID_IDP_CLIENTS: 'clients (added; a JSON array of client objects)',
  EID_IDP_CLAIM_MAPPING_FILE: 'claimMapping.file',
  EID_IDP_STORE_URL: 'store.url (and store.kind: redis)',
  EID_IDP_STORE_PASSWORD_FILE: 'store.passwordFile',
  EID_IDP_STORE_KEY_PREFIX: 'store.keyPrefix',
  EID_IDP_SUBJECT_KEY_FILE: 'secrets.subjectKeyFile',
  EID_IDP_COOKIE_KEYS_FILE: 'secrets.cookieKeysFile',
  EID_IDP_SIGNING_KEYS_FILE: 'secrets.signingKeysFile',
  EID_IDP_OIDC_PROTOCOL: 'listen.oidc.protocol (https or http)',
  EID_IDP_CERTIFICATE_PROTOCOL: 'listen.certificate.protocol (https or http)',
  EID_IDP_TRUSTED_PROXIES: 'proxy.trustedProxies (comma-separated addresses or CIDRs)',
  EID_IDP_CERTIFICATE_HEADER_FORMAT: 'proxy.certificateHeader.format',
  EID_IDP_CERTIFICATE_HEADER_NAME: 'proxy.certificateHeader.name',
  EID_IDP_METRICS_HOST: 'metrics.listen.host',
  EID_IDP_METRICS_PORT: 'metrics.listen.port',
  EID_IDP_METRICS_TOKEN_FILE: 'metrics.tokenFile',
  EID_IDP_SHUTDOWN_GRACE_SECONDS: 'shutdown.graceSeconds',
  EID_IDP_ADMIN_TOKEN_FILE: 'admin.tokenFile',
  EID_IDP_LOG_LEVEL: 'log.level',
  EID_IDP_REVOCATION_ON_FAILURE: 'revocation.onFailure (hard or soft)',
  EID_IDP_DEMO: 'demo.enabled (true or false)',
  EID_IDP_DEMO_RP_URL: 'demo.relyingPartyUrl',
} as const;

type Environment = Record<string, string | undefined>;
type Mutable = Record<string, unknown>;

/**
 * Reads the server file (if any), applies the environment, validates everything, and
 * resolves relative paths. Throws ConfigError naming the file, line and setting.
 */
export function loadServerConfig(env: Environment = process.env, cwd = process.cwd()): ServerConfig {
  const file = env.EID_IDP_CONFIG ? path.resolve(cwd, env.EID_IDP_CONFIG) : undefined;
  const source = file ? readYamlFile(file) : undefined;
  const raw = structuredClone(source?.data ?? {}) as Mutable;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('the top level must be a mapping of settings', { file });
  }
  const baseDir = file ? path.dirname(file) : cwd;
  resolveFilePaths(raw, baseDir);
  applyEnvironment(raw, env, cwd);

  const parsed = serverConfigSchema.safeParse(raw);
  if (!parsed.success) throw toConfigError(parsed.error.issues[0]!, source, env);
  const config = parsed.data;
  config.dataDir = path.resolve(cwd, config.dataDir);
  return config;
}

function applyEnvironment(raw: Mutable, env: Environment, cwd: string): void {
  const set = (dotted: string, value: unknown) => {
    const parts = dotted.split('.');
    let node = raw;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Mutable;
    }
    node[parts.at(-1)!] = value;
  };
  const get = (dotted: string): unknown =>
    dotted.split('.').reduce<unknown>((node, part) => (node as Mutable | undefined)?.[part], raw);

  if (env.EID_IDP_ISSUER) set('issuer', env.EID_IDP_ISSUER);
  if (env.EID_IDP_CERTIFICATE_ORIGIN) set('certificateOrigin', env.EID_IDP_CERTIFICATE_ORIGIN);
  if (env.EID_IDP_HOST) {
    set('listen.oidc.host', env.EID_IDP_HOST);
    set('listen.certificate.host', env.EID_IDP_HOST);
  }
  if (env.EID_IDP_OIDC_PORT) set('listen.oidc.port', envNumber(env, 'EID_IDP_OIDC_PORT'));
  if (env.EID_IDP_CERTIFICATE_PORT) {
    set('listen.certificate.port', envNumber(env, 'EID_IDP_CERTIFICATE_PORT'));
  }
  if (env.EID_IDP_DATA_DIR) set('dataDir', env.EID_IDP_DATA_DIR);
  if (env.EID_IDP_TRUST_DIRS) {
    const added = env.EID_IDP_TRUST_DIRS.split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.resolve(cwd, dir));
    set('trust.directories', [...((get('trust.directories') as string[]) ?? []), ...added]);
  }
  if (env.EID_IDP_CLIENTS) {
    const added = envJson(env, 'EID_IDP_CLIENTS');
    if (!Array.isArray(added)) {
      throw new ConfigError('must be a JSON array of client objects', {
        file: 'environment variable EID_IDP_CLIENTS',
      });
    }
    set('clients', [...((get('clients') as unknown[]) ?? []), ...added]);
  }
  if (env.EID_IDP_CLAIM_MAPPING_FILE) {
    set('claimMapping.file', path.resolve(cwd, env.EID_IDP_CLAIM_MAPPING_FILE));
  }
  if (env.EID_IDP_STORE_URL) {
    set('store.kind', 'redis');
    set('store.url', env.EID_IDP_STORE_URL);
  }
  if (env.EID_IDP_STORE_PASSWORD_FILE) {
    set('store.passwordFile', path.resolve(cwd, env.EID_IDP_STORE_PASSWORD_FILE));
  }
  if (env.EID_IDP_STORE_KEY_PREFIX) set('store.keyPrefix', env.EID_IDP_STORE_KEY_PREFIX);
  // Secrets are named by file (Docker and Kubernetes secrets mount as files), never passed
  // as values: an environment is inherited by child processes and shown by `docker inspect`.
  for (const [name, setting] of [
    ['EID_IDP_SUBJECT_KEY_FILE', 'secrets.subjectKeyFile'],
    ['EID_IDP_COOKIE_KEYS_FILE', 'secrets.cookieKeysFile'],
    ['EID_IDP_SIGNING_KEYS_FILE', 'secrets.signingKeysFile'],
  ] as const) {
    const value = env[name];
    if (value) set(setting, path.resolve(cwd, value));
  }
  if (env.EID_IDP_OIDC_PROTOCOL) set('listen.oidc.protocol', env.EID_IDP_OIDC_PROTOCOL);
  if (env.EID_IDP_CERTIFICATE_PROTOCOL) {
    set('listen.certificate.protocol', env.EID_IDP_CERTIFICATE_PROTOCOL);
  }
  if (env.EID_IDP_TRUSTED_PROXIES) {
    set('proxy.trustedProxies', env.EID_IDP_TRUSTED_PROXIES.split(',').map((item) => item.trim()).filter(Boolean));
  }
  if (env.EID_IDP_CERTIFICATE_HEADER_FORMAT) {
    set('proxy.certificateHeader.format', env.EID_IDP_CERTIFICATE_HEADER_FORMAT);
  }
  if (env.EID_IDP_CERTIFICATE_HEADER_NAME) {
    set('proxy.certificateHeader.name', env.EID_IDP_CERTIFICATE_HEADER_NAME);
  }
  if (env.EID_IDP_METRICS_HOST) set('metrics.listen.host', env.EID_IDP_METRICS_HOST);
  if (env.EID_IDP_METRICS_PORT) set('metrics.listen.port', envNumber(env, 'EID_IDP_METRICS_PORT'));
  if (env.EID_IDP_METRICS_TOKEN_FILE) {
    set('metrics.tokenFile', path.resolve(cwd, env.EID_IDP_METRICS_TOKEN_FILE));
  }
  if (env.EID_IDP_SHUTDOWN_GRACE_SECONDS) {
    set('shutdown.graceSeconds', envNumber(env, 'EID_IDP_SHUTDOWN_GRACE_SECONDS'));
  }
  if (env.EID_IDP_ADMIN_TOKEN_FILE) {
    set('admin.tokenFile', path.resolve(cwd, env.EID_IDP_ADMIN_TOKEN_FILE));
  }
  if (env.EID_IDP_LOG_LEVEL) set('log.level', env.EID_IDP_LOG_LEVEL);
  if (env.EID_IDP_REVOCATION_ON_FAILURE) {
    set('revocation.onFailure', env.EID_IDP_REVOCATION_ON_FAILURE);
  }
  if (env.EID_IDP_DEMO) set('demo.enabled', envBoolean(env, 'EID_IDP_DEMO'));
  if (env.EID_IDP_DEMO_RP_URL) set('demo.relyingPartyUrl', env.EID_IDP_DEMO_RP_URL);
}

/** Paths written in the file are relative to the file, as a reader of the file expects. */
function resolveFilePaths(raw: Mutable, baseDir: string): void {
  const resolveIn = (node: unknown, keys: string[]) => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Mutable;
    for (const key of keys) {
      if (typeof record[key] === 'string') record[key] = path.resolve(baseDir, record[key]);
    }
  };
  if (typeof raw.dataDir === 'string') raw.dataDir = path.resolve(baseDir, raw.dataDir);
  resolveIn(raw.tls, ['certFile', 'keyFile']);
  resolveIn(raw.secrets, ['subjectKeyFile', 'cookieKeysFile', 'signingKeysFile']);
  resolveIn(raw.claimMapping, ['file']);
  resolveIn(raw.metrics, ['tokenFile']);
  resolveIn(raw.admin, ['tokenFile']);
  resolveIn(raw.store, ['passwordFile']);
  resolveIn((raw.store as Mutable | undefined)?.tls, ['caFile']);
  resolveIn((raw.store as Mutable | undefined)?.sentinel, ['sentinelPasswordFile']);
  const trust = raw.trust as Mutable | undefined;
  if (trust && Array.isArray(trust.directories)) {
    trust.directories = trust.directories.map((dir: unknown) =>
      typeof dir === 'string' ? path.resolve(baseDir, dir) : dir,
    );
  }
  if (Array.isArray(raw.clients)) {
    for (const client of raw.clients) resolveIn(client, ['client_secret_file']);
  }
}

function envNumber(env: Environment, name: string): number {
  const value = Number(env[name]);
  if (!Number.isInteger(value)) {
    throw new ConfigError(`must be a whole number, got "${env[name]}"`, {
      file: `environment variable ${name}`,
    });
  }
  return value;
}

function envBoolean(env: Environment, name: string): boolean {
  const value = env[name]?.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`must be true or false, got "${env[name]}"`, {
    file: `environment variable ${name}`,
  });
}

function envJson(env: Environment, name: string): unknown {
  try {
    return JSON.parse(env[name]!);
  } catch (error) {
    throw new ConfigError(`is not valid JSON (${(error as Error).message})`, {
      file: `environment variable ${name}`,
    });
  }
}

function toConfigError(found: ZodIssue, source: YamlSource | undefined, env: Environment) {
  // An unknown key is named as the setting itself, at its own line, not at its parent.
  const issue: ZodIssue =
    found.code === 'unrecognized_keys'
      ? {
          ...found,
          path: [...found.path, found.keys[0]!],
          message:
            found.keys.length === 1
              ? 'unknown setting (misspelt, or not in this section; see src/config/schema.ts)'
              : `unknown settings: ${found.keys.join(', ')} (misspelt, or not in this section; see src/config/schema.ts)`,
        }
      : found;
  const setting = dottedPath(issue.path);
  const fromEnvironment = Object.entries(ENVIRONMENT_SETTINGS).find(
    ([name, target]) => env[name] && setting && target.split(' ')[0]!.startsWith(setting.split('[')[0]!),
  );
  if (!source || (fromEnvironment && !source.lineOf(issue.path.slice(0, 1)))) {
    return new ConfigError(issue.message, {
      file: fromEnvironment ? `environment variable ${fromEnvironment[0]}` : source?.file,
      setting,
    });
  }
  return new ConfigError(issue.message, {
    file: source.file,
    line: source.lineOf(issue.path),
    setting,
  });
}
