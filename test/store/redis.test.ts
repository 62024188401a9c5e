import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EidError, StoreUnavailableError } from '../../src/errors.js';
import { CertificateHandles } from '../../src/oidc/certificate-handles.js';
import { StoreAdapter } from '../../src/oidc/store-adapter.js';
import { RedisStore } from '../../src/store/redis.js';
import { openRedisClient } from '../../src/store/redis-connection.js';
import { PrivateRedisServer } from '../support/redis-server.js';
import {
  openTestRedisStore,
  SHARED_REDIS_URL,
  waitUntilReady,
  type OpenedRedisStore,
} from './redis-test-store.js';

describe('RedisStore on the shared Redis', () => {
  let opened: OpenedRedisStore;
  before(async () => {
    opened = await openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'redis');
  });
  after(async () => {
    await opened?.cleanup();
  });

  it('puts a TTL on every key it writes, under its prefix only', async () => {
    const { store } = opened;
    const sessions = new StoreAdapter(store, 'Session');
    const tokens = new StoreAdapter(store, 'AccessToken');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 600);
    await tokens.upsert('t1', { grantId: 'g1', exp: Math.floor(Date.now() / 1000) + 60 }, 60);
    await new CertificateHandles(store, 60).issue('u1', {} as never);
    await store.set('plain', 'v', 5);

    const keys = await opened.keys();
    assert.ok(keys.length >= 5, `expected at least 5 keys, found ${keys.length}`);
    for (const key of keys) {
      assert.ok(key.startsWith(opened.prefix), key);
      const ttlMs = await store.client.pttl(key);
      assert.ok(ttlMs > 0, `${key.slice(opened.prefix.length)} has no TTL (${ttlMs})`);
    }
  });

  it('keeps two prefixes apart on one Redis', async () => {
    const other = await openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'other');
    try {
      await opened.store.set('same-key', 'mine', 60);
      assert.equal(await other.store.get('same-key'), undefined);
    } finally {
      await other.cleanup();
    }
  });

  it('refuses a zero TTL instead of writing a key that never expires', async () => {
    await assert.rejects(opened.store.set('no-ttl', 'v', 0), RangeError);
  });
});

describe('RedisStore when Redis goes away (private redis-server)', () => {
  let server: PrivateRedisServer;
  let store: RedisStore;
  before(async () => {
    server = await PrivateRedisServer.start();
    const client = openRedisClient({
      topology: { mode: 'standalone', url: server.url },
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
    });
    await waitUntilReady(client);
    store = new RedisStore(client, { keyPrefix: 'eid-idp-test:' });
  });
  after(async () => {
    await store?.close();
    await server?.destroy();
  });

  it('fails every operation with STORE_UNAVAILABLE (503) while down, and recovers by itself', async () => {
    await store.set('before', 'v', 60);
    await server.stop();

    const operations: [string, () => Promise<unknown>][] = [
      ['get', () => store.get('before')],
      ['set', () => store.set('k', 'v', 60)],
      ['take', () => store.take('k')],
      ['delete', () => store.delete('k', 'l')],
      ['addToSet', () => store.addToSet('s', 'm', 60)],
      ['takeSet', () => store.takeSet('s')],
      ['ping', () => store.ping()],
    ];
    for (const [name, operation] of operations) {
      await assert.rejects(operation(), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, `${name}: ${String(error)}`);
        assert.ok(error instanceof EidError);
        assert.equal(error.code, 'STORE_UNAVAILABLE');
        assert.equal(error.status, 503);
        return true;
      });
    }

    await server.start();
    await eventually(() => store.ping(), 20_000);
    await store.set('after', 'v', 60);
    assert.equal(await store.take('after'), 'v');
  });

  it('gives up on a Redis that stops answering without closing (command timeout)', async () => {
    await eventually(() => store.ping(), 20_000);
    server.pause();
    try {
      const answered = await Promise.race([
        store.get('frozen').then(
          () => 'resolved',
          (error: unknown) => (error instanceof StoreUnavailableError ? 'unavailable' : String(error)),
        ),
        // Generous bound: only says the command gave up by itself, not how fast.
        new Promise((resolve) => setTimeout(() => resolve('no answer within 20 s'), 20_000)),
      ]);
      assert.equal(answered, 'unavailable');
    } finally {
      server.resume();
    }
    await eventually(() => store.ping(), 20_000);
  });
});

/** Retries `attempt` until it resolves or `withinMs` passes (a generous bound, not a timing claim). */
async function eventually(attempt: () => Promise<unknown>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
