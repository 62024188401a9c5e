import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StoreUnavailableError } from '../../src/errors.js';
import { startRedisSentinel } from '../support/redis-server.js';
import { openTestRedisStore, type OpenedRedisStore } from './redis-test-store.js';

/**
 * Sentinel is there for failover: when the master dies, the Sentinel promotes the replica and
 * the store must find the new master by itself, refusing with STORE_UNAVAILABLE meanwhile.
 * A private master, replica and Sentinel; the master is killed for real.
 */
describe('RedisStore through Sentinel when the master dies', () => {
  let topology: Awaited<ReturnType<typeof startRedisSentinel>>;
  let opened: OpenedRedisStore;

  before(async () => {
    topology = await startRedisSentinel('eid-failover', { replica: true, downAfterMs: 1000 });
    opened = await openTestRedisStore(
      { mode: 'sentinel', masterName: topology.masterName, sentinels: topology.sentinels },
      'failover',
    );
  });
  after(async () => {
    await opened?.store.close();
    await topology?.destroy();
  });

  it('follows the promoted replica, keeping replicated data, without a new client', async () => {
    const { store } = opened;
    await store.set('before-failover', 'kept', 300);
    // WAIT: the write has reached the replica before the master is killed.
    assert.equal(await store.client.wait(1, 5000), 1);

    await topology.master.stop();

    const refusals: unknown[] = [];
    const deadline = Date.now() + 60_000; // generous: a bound, not a timing claim
    for (;;) {
      try {
        await store.set('after-failover', 'written', 300);
        break;
      } catch (error) {
        refusals.push(error);
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.ok(
      refusals.every((error) => error instanceof StoreUnavailableError),
      `only STORE_UNAVAILABLE while failing over: ${refusals.map(String).join('; ')}`,
    );
    assert.equal(await store.get('before-failover'), 'kept');
    assert.equal(await store.take('after-failover'), 'written');
    const role = await store.client.role();
    assert.equal(role[0], 'master');
    const info = await store.client.info('server');
    assert.match(info, new RegExp(`tcp_port:${topology.replica!.port}\\b`), 'now on the replica');
  });
});
