import type { KeyValueStore } from '../../src/store/contract.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { openRedisClient } from '../../src/store/redis-connection.js';

/** The store a benchmark IdP runs on: memory, or the product's Redis store on `url`. */
export async function openBenchStore(kind: 'memory' | 'redis', url: string, prefix: string): Promise<KeyValueStore> {
  if (kind === 'memory') return new MemoryStore();
  const client = openRedisClient({ topology: { mode: 'standalone', url }, connectTimeoutMs: 2000, commandTimeoutMs: 2000 });
  // The product's client fails fast (no offline queue): wait until it is connected.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisUnavailable(`Redis at ${url} did not answer within 3 s`)), 3000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  }).catch((error: unknown) => {
    client.disconnect();
    throw error;
  });
  const store = new RedisStore(client, { keyPrefix: prefix });
  await store.ping();
  return store;
}

export class RedisUnavailable extends Error {}
