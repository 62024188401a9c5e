import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';

/**
 * Opens the ioredis client for one of the three ways of reaching Redis: a standalone URL,
 * Sentinel, or Cluster. What the three share is the fail-fast policy below.
 */
export type RedisTopology =
  | { mode: 'standalone'; url: string }
  | { mode: 'sentinel'; masterName: string; sentinels: string[]; sentinelPassword?: string }
  | { mode: 'cluster'; nodes: string[] };

export interface RedisConnectionSettings {
  topology: RedisTopology;
  username?: string;
  password?: string;
  /** TLS to the servers; `true` for the system CAs, or options (a CA of one's own). */
  tls?: ConnectionOptions | true;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export type RedisClient = Redis | Cluster;

/** Reconnection keeps trying for ever, at most every 2 s: Redis may be back any moment. */
const RECONNECT_CEILING_MS = 2000;

function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), RECONNECT_CEILING_MS);
}

/**
 * Fail fast, never queue: with Redis down a login cannot proceed, so a command must fail at
 * once (offline queue off, no retries) and one sent to a Redis that stopped answering must
 * give up after `commandTimeoutMs`. Unanswered commands are not resent after a reconnect:
 * replaying a GETDEL whose reply was lost would burn a one-time handle twice.
 */
function failFastOptions(settings: RedisConnectionSettings): RedisOptions {
  const tls = settings.tls === true ? {} : settings.tls;
  return {
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(tls !== undefined ? { tls } : {}),
  };
}

export function parseHostAndPort(text: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match) throw new Error(`"${text}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

export function openRedisClient(settings: RedisConnectionSettings): RedisClient {
  const common = failFastOptions(settings);
  const { topology } = settings;
  switch (topology.mode) {
    case 'standalone': {
      const tls = common.tls ?? (topology.url.startsWith('rediss://') ? {} : undefined);
      return new Redis(topology.url, {
        ...common,
        ...(tls !== undefined ? { tls } : {}),
        enableOfflineQueue: false,
        retryStrategy: reconnectDelayMs,
      });
    }
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: topology.sentinels.map(parseHostAndPort),
        name: topology.masterName,
        role: 'master',
        ...(topology.sentinelPassword !== undefined
          ? { sentinelPassword: topology.sentinelPassword }
          : {}),
        // With TLS on, both the sentinels and the master they point to are reached over TLS.
        enableTLSForSentinelMode: common.tls !== undefined,
        ...(common.tls !== undefined ? { sentinelTLS: common.tls } : {}),
        sentinelRetryStrategy: reconnectDelayMs,
        enableOfflineQueue: false,
        retryStrategy: reconnectDelayMs,
      });
    case 'cluster': {
      const nodes: ClusterNode[] = topology.nodes.map(parseHostAndPort);
      const { tls, ...nodeOptions } = common;
      return new Cluster(nodes, {
        redisOptions: { ...nodeOptions, ...(tls !== undefined ? { tls } : {}) },
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelayMs,
        slotsRefreshTimeout: settings.connectTimeoutMs,
        // Behind TLS the certificate names the host, so keep host names as given.
        ...(tls !== undefined ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      });
    }
  }
}
