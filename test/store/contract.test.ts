import { after, before, describe } from 'node:test';
import { MemoryStore } from '../../src/store/memory.js';
import { startRedisCluster, startRedisSentinel } from '../support/redis-server.js';
import { describeStoreContract } from './contract.js';
import { openTestRedisStore, SHARED_REDIS_URL } from './redis-test-store.js';

/**
 * One contract, four backends: the in-memory store, the shared standalone Redis (under a
 * prefix of this run), a private Redis Cluster of three masters (keys spread over slots: a
 * cross-slot command would fail here), and a private master behind Sentinel.
 */
describeStoreContract('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describeStoreContract('Redis standalone', () =>
  openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'contract'),
);

describe('on a private Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  before(async () => {
    cluster = await startRedisCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });
  describeStoreContract('Redis Cluster', () =>
    openTestRedisStore({ mode: 'cluster', nodes: cluster!.nodes }, 'contract-cluster'),
  );
});

describe('on a private Redis behind Sentinel', () => {
  let sentinel: Awaited<ReturnType<typeof startRedisSentinel>> | undefined;
  before(async () => {
    sentinel = await startRedisSentinel();
  });
  after(async () => {
    await sentinel?.destroy();
  });
  describeStoreContract('Redis Sentinel', () =>
    openTestRedisStore(
      { mode: 'sentinel', masterName: sentinel!.masterName, sentinels: sentinel!.sentinels },
      'contract-sentinel',
    ),
  );
});
