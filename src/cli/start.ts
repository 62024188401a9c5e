import { loadServerConfig } from '../config/load.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startIdp, type RunningIdp } from '../server/start-idp.js';
import type { KeyValueStore } from '../store/contract.js';
import { MemoryStore } from '../store/memory.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ServerConfig } from '../config/schema.js';
import { DEMO_CLIENT_ID, resolveSettings } from './resolve-settings.js';

/**
 * `eid-idp start`: load the configuration, prepare the data directory, start both origins
 * and, with the embedded defaults, the demo relying party. Prints where to go next.
 */
export async function startCommand(): Promise<void> {
  const config = loadServerConfig();
  const logger = createLogger(config.log.level);
  const store = createStore(config, logger);
  const resolved = await resolveSettings(config, { store, logger });
  const idp = await startIdp(resolved.settings);
  resolved.settings.mapping.watch();
  process.on('SIGHUP', () => resolved.settings.mapping.reload());

  let closeRelyingParty: (() => Promise<void>) | undefined;
  if (resolved.demo) {
    const { startRelyingParty } = await import('../../examples/demo-rp/relying-party.js');
    const rp = await startRelyingParty({
      issuer: idp.issuer,
      clientId: DEMO_CLIENT_ID,
      clientSecret: resolved.demo.relyingPartySecret,
      baseUrl: config.demo.relyingPartyUrl,
      host: config.listen.oidc.host,
      port: Number(new URL(config.demo.relyingPartyUrl).port || 80),
      idpCaPem: resolved.developmentCaFile
        ? readFileSync(resolved.developmentCaFile, 'utf8')
        : undefined,
      scope: 'openid profile national_id eid_certificate',
    });
    closeRelyingParty = rp.close;
  }

  printWelcome(idp, config, resolved);
  const shutdown = async (signal: string) => {
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    await closeRelyingParty?.();
    resolved.settings.mapping.close();
    await idp.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

function createStore(config: ServerConfig, logger: Logger): KeyValueStore {
  if (config.store.kind === 'redis') {
    throw new ConfigError('the Redis store is not available in this version yet', {
      setting: 'store.kind',
    });
  }
  logger.warn(
    { event: 'store.memory' },
    'in-memory store: sessions, grants and logins are lost on restart and not shared between ' +
      'processes; set store.kind: redis for production',
  );
  return new MemoryStore();
}

function printWelcome(
  idp: RunningIdp,
  config: ServerConfig,
  resolved: Awaited<ReturnType<typeof resolveSettings>>,
): void {
  const lines = [
    '',
    'eid-idp is running.',
    `  OIDC issuer          ${idp.issuer}  (discovery: ${idp.issuer}/.well-known/openid-configuration)`,
    `  Certificate origin   ${idp.certificateOrigin}`,
  ];
  if (resolved.demo) {
    lines.push(
      `  Demo relying party   ${config.demo.relyingPartyUrl}   <- open this to sign in`,
      '',
      'Demo citizen certificate (DNIe profile, JUAN ESPAÑOL ESPAÑOL, test only):',
      `  file       ${resolved.demo.citizenP12}`,
      `  password   ${resolved.demo.citizenPassword}`,
      '  Import it into your browser (certificates: "Your certificates" > Import).',
    );
  }
  if (resolved.developmentCaFile) {
    lines.push(
      '',
      'The TLS certificate is a development one. Trust its CA in your browser, or accept the',
      `warning once per origin: ${resolved.developmentCaFile}`,
    );
  }
  lines.push('', 'State is kept in memory only: restarting forgets sessions.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}
