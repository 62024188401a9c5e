import { loadServerConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { IdpMetrics } from '../observability/metrics.js';
import { serveMetrics, type MetricsListener } from '../server/metrics-listener.js';
import { startIdp, type RunningIdp } from '../server/start-idp.js';
import { createStore } from '../store/create-store.js';
import { readFileSync } from 'node:fs';
import type { ServerConfig } from '../config/schema.js';
import { DEMO_CLIENT_ID, resolveSettings } from './resolve-settings.js';

/**
 * `eid-idp start`: load the configuration, prepare the data directory, start both origins
 * and, with the embedded defaults, the demo relying party. Prints where to go next.
 */
export async function startCommand(): Promise<void> {
  const config = loadServerConfig();
  const logger = createLogger(config.log.level);
  const metrics = new IdpMetrics({ processMetrics: true });
  const store = createStore(config.store, {
    logger,
    onRedisError: (operation) => metrics.countStoreError(operation),
  });
  const resolved = await resolveSettings(config, { store, logger });
  const idp = await startIdp({ ...resolved.settings, metrics });
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

  let metricsListener: MetricsListener | undefined;
  if (config.metrics.listen) {
    metricsListener = await serveMetrics({
      metrics: idp.metrics,
      ...config.metrics.listen,
      token: config.metrics.tokenFile ? readFileSync(config.metrics.tokenFile, 'utf8').trim() : undefined,
      logger,
    });
    logger.info({ event: 'metrics.listening', host: config.metrics.listen.host, port: metricsListener.port }, 'metrics listener');
  }

  printWelcome(idp, config, resolved);
  // Graceful: stop accepting, let requests in flight finish (a login half-way through its
  // certificate step completes), then close the store. Connections still open after
  // shutdown.graceSeconds are cut so the orchestrator's kill never comes first.
  const shutdown = async (signal: string) => {
    logger.info({ event: 'shutdown.started', signal, graceSeconds: config.shutdown.graceSeconds }, 'shutting down');
    setTimeout(() => {
      logger.warn({ event: 'shutdown.forced' }, 'requests still in flight after the grace period');
      process.exit(1);
    }, config.shutdown.graceSeconds * 1000).unref();
    await closeRelyingParty?.();
    resolved.settings.mapping.close();
    await Promise.all([idp.close(), metricsListener?.close()]);
    await store.close();
    logger.info({ event: 'shutdown.finished', signal }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
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
  lines.push(
    '',
    config.store.kind === 'redis'
      ? `State is kept in Redis (key prefix "${config.store.keyPrefix}").`
      : 'State is kept in memory only: restarting forgets sessions.',
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
