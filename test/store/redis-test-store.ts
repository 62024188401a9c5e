import { randomBytes } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis.js';
import { openRedisClient, type RedisTopology } from '../../src/store/redis-connection.js';

/** The shared Redis of these machines; tests only ever touch keys under their own prefix. */
export const SHARED_REDIS_URL = process.env.EID_IDP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `eid-idp-test:${label}:${randomBytes(6).toString('hex')}:`;
}

export interface OpenedRedisStore {
  store: RedisStore;
  prefix: string;
  /** Every key under this store's prefix (each node of a cluster), for assertions. */
  keys(): Promise<string[]>;
  /** Deletes every key under the prefix, then closes. */
  cleanup(): Promise<void>;
}

/** A RedisStore with the product's fail-fast connection settings and a prefix of its own. */
export async function openTestRedisStore(
  topology: RedisTopology,
  label: string,
  prefix = uniquePrefix(label),
): Promise<OpenedRedisStore> {
  const client = openRedisClient({ topology, connectTimeoutMs: 2000, commandTimeoutMs: 2000 });
  // Outages are what some tests cause: ioredis reports each failed reconnection as an
  // 'error' event, which would otherwise be printed as unhandled.
  client.on('error', () => {});
  await waitUntilReady(client);
  const store = new RedisStore(client, { keyPrefix: prefix });
  const keys = async () => {
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    const found: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
    }
    return found;
  };
  return {
    store,
    prefix,
    keys,
    cleanup: async () => {
      for (const key of await keys()) await client.unlink(key);
      await store.close();
    },
  };
}

/** The offline queue is off, so tests wait for "ready" before their first command. */
export function waitUntilReady(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not become ready in 20 s')), 20_000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
