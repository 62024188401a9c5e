import { readFileSync } from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import type { ClientSetting, ServerConfig } from '../config/schema.js';
import { randomSecret, readOrCreateSecretFile } from '../config/secret-files.js';
import { ConfigError } from '../errors.js';
import { MappingRegistry } from '../identity/mapping-registry.js';
import { mappingChangeLogging } from '../identity/mapping-log.js';
import { readAdminSettings } from '../admin/settings.js';
import type { Logger } from '../observability/logger.js';
import { loadSigningKeys } from '../oidc/signing-keys.js';
import { TrustStore } from '../pki/trust-store.js';
import type { IdpSettings } from '../server/start-idp.js';
import type { KeyValueStore } from '../store/contract.js';
import { dataDirectoryLayout, ensureDemo, ensureDevelopmentTls, type DataDirectory } from './first-start.js';

export const DEMO_CLIENT_ID = 'demo-rp';

export interface ResolvedSettings {
  settings: IdpSettings;
  demo: DataDirectory['demo'] | undefined;
  /** The development TLS CA file, when the server certificate was generated. */
  developmentCaFile: string | undefined;
}

/**
 * Turns the validated configuration into running settings: reads certificate, key and
 * secret files (creating development ones in the data directory where none are named),
 * loads the trust store and the clients.
 */
export async function resolveSettings(
  config: ServerConfig,
  runtime: { store: KeyValueStore; logger: Logger },
): Promise<ResolvedSettings> {
  const { logger } = runtime;
  // A broken mapping file at start is fatal (ConfigError); on reload it is refused and the
  // last good mapping stays in force.
  const mapping = new MappingRegistry({
    file: config.claimMapping.file,
    ...mappingChangeLogging(logger),
  });
  const layout = dataDirectoryLayout(config.dataDir);
  const generatedTls = !config.tls.certFile;
  if (generatedTls) {
    await ensureDevelopmentTls(config.dataDir, [
      new URL(config.issuer).hostname,
      new URL(config.certificateOrigin).hostname,
    ]);
  } else if (!config.tls.keyFile) {
    throw new ConfigError('tls.certFile is set but tls.keyFile is not', { setting: 'tls.keyFile' });
  }
  const certFile = config.tls.certFile ?? layout.tls.certFile;
  const keyFile = config.tls.keyFile ?? layout.tls.keyFile;

  const demo = config.demo.enabled ? await ensureDemo(config.dataDir) : undefined;
  const trustDirectories = [...config.trust.directories, ...(demo ? [demo.trustDir] : [])];
  const trustStore = await TrustStore.loadDirectories(trustDirectories);

  const subjectKey = readOrCreateSecretFile(
    config.secrets.subjectKeyFile ?? layout.subjectKeyFile,
    config.secrets.subjectKeyFile ? undefined : () => randomSecret(32),
  ).trim();
  const cookieKeys = readOrCreateSecretFile(
    config.secrets.cookieKeysFile ?? layout.cookieKeysFile,
    config.secrets.cookieKeysFile ? undefined : () => `${randomSecret(32)}\n`,
  )
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const jwks = loadSigningKeys(
    config.secrets.signingKeysFile ?? layout.signingKeysFile,
    !config.secrets.signingKeysFile,
  );

  const clients = config.clients.map((client, index) => toClientMetadata(client, index));
  if (demo && !clients.some((client) => client.client_id === DEMO_CLIENT_ID)) {
    clients.push(demoClient(config.demo.relyingPartyUrl, demo.relyingPartySecret));
  }

  return {
    demo,
    developmentCaFile: generatedTls ? layout.tls.caFile : undefined,
    settings: {
      issuer: config.issuer,
      certificateOrigin: config.certificateOrigin,
      listen: config.listen,
      serverKeyPair: {
        cert: readConfiguredFile(certFile, 'tls.certFile'),
        key: readConfiguredFile(keyFile, 'tls.keyFile'),
      },
      certificateOriginTls: {
        minVersion: config.tls.certificateOriginMinVersion,
        maxVersion: config.tls.certificateOriginMaxVersion,
      },
      trustStore,
      revocation: config.revocation,
      mapping,
      clients,
      jwks,
      subjectKey: Buffer.from(subjectKey, 'utf8'),
      cookieKeys,
      store: runtime.store,
      logger: runtime.logger,
      login: config.login,
      rateLimit: config.rateLimit.certificateRoute,
      admin: readAdminSettings(config.admin),
      proxy: proxySettings(config),
    },
  };
}

function toClientMetadata(client: ClientSetting, index: number): ClientMetadata {
  const secret =
    client.client_secret ??
    (client.client_secret_file
      ? readConfiguredFile(client.client_secret_file, `clients[${index}].client_secret_file`).trim()
      : undefined);
  const metadata: ClientMetadata = {
    client_id: client.client_id,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    subject_type: client.subject_type,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
  if (secret !== undefined) metadata.client_secret = secret;
  if (client.client_name !== undefined) metadata.client_name = client.client_name;
  if (client.sector_identifier_uri !== undefined) {
    metadata.sector_identifier_uri = client.sector_identifier_uri;
  }
  if (client.scope !== undefined) metadata.scope = client.scope;
  if (client.jwks_uri !== undefined) metadata.jwks_uri = client.jwks_uri;
  return metadata;
}

function demoClient(relyingPartyUrl: string, secret: string): ClientMetadata {
  const base = relyingPartyUrl.replace(/\/$/, '');
  return {
    client_id: DEMO_CLIENT_ID,
    client_secret: secret,
    client_name: 'Demo relying party',
    redirect_uris: [`${base}/callback`],
    post_logout_redirect_uris: [`${base}/`],
    token_endpoint_auth_method: 'client_secret_basic',
    subject_type: 'pairwise',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
}

function readConfiguredFile(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, {
      setting,
    });
  }
}

/**
 * The `proxy` section, checked against the listeners: a plain-HTTP listener is only sensible
 * behind a trusted TLS-terminating proxy, and a plain-HTTP certificate origin only when that
 * proxy forwards the client certificate (docs/operations/proxy.md).
 */
export function proxySettings(config: ServerConfig): IdpSettings['proxy'] {
  const { proxy, listen } = config;
  for (const origin of ['oidc', 'certificate'] as const) {
    if (listen[origin].protocol === 'http' && proxy.trustedProxies.length === 0) {
      throw new ConfigError(
        'plain HTTP needs a TLS-terminating proxy listed in proxy.trustedProxies',
        { setting: `listen.${origin}.protocol` },
      );
    }
  }
  if (listen.certificate.protocol === 'http' && !proxy.certificateHeader) {
    throw new ConfigError(
      'a plain-HTTP certificate origin needs proxy.certificateHeader (how the proxy forwards the card certificate)',
      { setting: 'listen.certificate.protocol' },
    );
  }
  if (proxy.certificateHeader && proxy.trustedProxies.length === 0) {
    throw new ConfigError('proxy.certificateHeader is set but proxy.trustedProxies is empty', {
      setting: 'proxy.trustedProxies',
    });
  }
  return proxy;
}
