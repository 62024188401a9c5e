import { readFileSync } from 'node:fs';
import type { StoreSetting } from '../config/schema.js';
import { readOrCreateSecretFile } from '../config/secret-files.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { KeyValueStore } from './contract.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import {
  openRedisClient,
  type RedisConnectionSettings,
  type RedisTopology,
} from './redis-connection.js';

export interface CreateStoreOptions {
  logger: Logger;
  /** Called for every failed Redis command (the metrics of Redis errors hook in here). */
  onRedisError?: (operation: string, error: unknown) => void;
}

/** The store the configuration asks for: memory (one process) or Redis (shared). */
export function createStore(setting: StoreSetting, options: CreateStoreOptions): KeyValueStore {
  const { logger } = options;
  if (setting.kind === 'memory') {
    logger.warn(
      { event: 'store.memory' },
      'in-memory store: sessions, grants and logins are lost on restart and not shared between ' +
        'processes; set store.kind: redis for production',
    );
    return new MemoryStore();
  }
  const connection = redisConnectionSettings(setting);
  const client = openRedisClient(connection);
  const store = new RedisStore(client, {
    keyPrefix: setting.keyPrefix,
    ...(options.onRedisError ? { onError: options.onRedisError } : {}),
  });
  watchConnection(store, connection.topology, logger);
  return store;
}

export function redisConnectionSettings(setting: StoreSetting): RedisConnectionSettings {
  const topology: RedisTopology = setting.sentinel
    ? {
        mode: 'sentinel',
        masterName: setting.sentinel.masterName,
        sentinels: setting.sentinel.sentinels,
        ...(setting.sentinel.sentinelPasswordFile
          ? {
              sentinelPassword: readSecret(
                setting.sentinel.sentinelPasswordFile,
                'store.sentinel.sentinelPasswordFile',
              ),
            }
          : {}),
      }
    : setting.cluster
      ? { mode: 'cluster', nodes: setting.cluster.nodes }
      : { mode: 'standalone', url: setting.url! };
  const tlsWanted = setting.tls.enabled || setting.tls.caFile !== undefined;
  return {
    topology,
    connectTimeoutMs: setting.connectTimeoutMs,
    commandTimeoutMs: setting.commandTimeoutMs,
    ...(setting.username !== undefined ? { username: setting.username } : {}),
    ...(setting.passwordFile
      ? { password: readSecret(setting.passwordFile, 'store.passwordFile') }
      : {}),
    ...(tlsWanted
      ? { tls: setting.tls.caFile ? { ca: readCa(setting.tls.caFile) } : (true as const) }
      : {}),
  };
}

/**
 * Connection changes are logged once each (not once per failed command): "unavailable" when
 * a ready connection is lost or the first one fails, "ready" when it comes back.
 */
function watchConnection(store: RedisStore, topology: RedisTopology, logger: Logger): void {
  const { client } = store;
  let healthy: boolean | undefined;
  const where = describe(topology);
  let versionChecked = false;
  client.on('ready', () => {
    if (healthy !== true) logger.info({ event: 'store.redis.ready', where }, 'Redis is ready');
    healthy = true;
    if (!versionChecked) {
      versionChecked = true;
      void warnIfTooOld(client, where, logger);
    }
  });
  // ioredis emits 'error' on every failed reconnection; without a listener it would print
  // each one. The first after a healthy period is logged, the rest are the same story.
  client.on('error', (error: Error) => {
    if (healthy === false || store.isClosing()) return;
    healthy = false;
    logger.error(
      { event: 'store.redis.unavailable', where, reason: error.message },
      'Redis is unavailable; logins fail with a 503 until it answers again',
    );
  });
  client.on('close', () => {
    if (healthy !== true || store.isClosing()) return;
    healthy = false;
    logger.error(
      { event: 'store.redis.unavailable', where, reason: 'connection closed' },
      'Redis is unavailable; logins fail with a 503 until it answers again',
    );
  });
}

/**
 * One-time handles are taken with GETDEL (Redis 6.2). An older server would fail every
 * certificate callback with "unknown command"; say so once, at connection, in plain words.
 */
async function warnIfTooOld(
  client: ReturnType<typeof openRedisClient>,
  where: string,
  logger: Logger,
): Promise<void> {
  try {
    const info = await client.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (!version) return;
    const [major, minor] = [Number(version[1]), Number(version[2])];
    if (major < 6 || (major === 6 && minor < 2)) {
      logger.error(
        { event: 'store.redis.too_old', where, version: `${major}.${minor}` },
        'Redis 6.2 or later is required (GETDEL); certificate logins will fail',
      );
    }
  } catch {
    // Not answering right after "ready": the connection watcher reports that already.
  }
}

/** Where Redis is, without credentials (a URL may carry a password). */
function describe(topology: RedisTopology): string {
  switch (topology.mode) {
    case 'standalone': {
      const url = new URL(topology.url);
      return `${url.protocol}//${url.host}${url.pathname}`;
    }
    case 'sentinel':
      return `sentinel ${topology.masterName} via ${topology.sentinels.join(',')}`;
    case 'cluster':
      return `cluster ${topology.nodes.join(',')}`;
  }
}

function readSecret(file: string, setting: string): string {
  try {
    return readOrCreateSecretFile(file).trim();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.message, { setting });
    throw error;
  }
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, {
      setting: 'store.tls.caFile',
    });
  }
}
