import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { StoreAdapter } from '../../src/oidc/store-adapter.js';
import type { KeyValueStore } from '../../src/store/contract.js';

/**
 * The KeyValueStore contract, as behaviour. Every backend (memory, Redis standalone, Sentinel,
 * Cluster) runs this same suite: whatever the rest of eid-idp relies on is written here once.
 */
export interface StoreUnderTest {
  store: KeyValueStore;
  /** Removes whatever the run left behind and closes the store. */
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (label: string) => `${label}:${randomBytes(8).toString('hex')}`;

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: KeyValueStore;

    before(async () => {
      subject = await open();
      store = subject.store;
    });
    after(async () => {
      await subject?.cleanup();
    });

    it('answers ping', async () => {
      await store.ping();
    });

    it('returns undefined for a key never set', async () => {
      assert.equal(await store.get(unique('missing')), undefined);
      assert.equal(await store.take(unique('missing')), undefined);
      assert.deepEqual(await store.takeSet(unique('missing-set')), []);
    });

    it('reads back what was set, unicode and JSON intact, and overwrites', async () => {
      const key = unique('value');
      const value = JSON.stringify({ name: 'JUAN ESPAÑOL ESPAÑOL', emoji: '🪪', n: 1 });
      await store.set(key, value, 60);
      assert.equal(await store.get(key), value);
      await store.set(key, 'second', 60);
      assert.equal(await store.get(key), 'second');
    });

    it('take returns the value once, then nothing', async () => {
      const key = unique('take');
      await store.set(key, 'once', 60);
      assert.equal(await store.take(key), 'once');
      assert.equal(await store.take(key), undefined);
      assert.equal(await store.get(key), undefined);
    });

    it('of 50 concurrent takes of one key exactly one wins, for each of 10 keys', async () => {
      const keys = Array.from({ length: 10 }, () => unique('race'));
      await Promise.all(keys.map((key, index) => store.set(key, `value-${index}`, 60)));
      const results = await Promise.all(
        keys.map((key) => Promise.all(Array.from({ length: 50 }, () => store.take(key)))),
      );
      results.forEach((takes, index) => {
        const winners = takes.filter((value) => value !== undefined);
        assert.deepEqual(winners, [`value-${index}`], `key ${index}: ${winners.length} winners`);
      });
    });

    it('deletes one or several keys, and ignores keys that do not exist', async () => {
      const [a, b, c] = [unique('del'), unique('del'), unique('del')];
      await store.set(a, '1', 60);
      await store.set(b, '2', 60);
      await store.set(c, '3', 60);
      await store.delete(a, b, unique('never-set'));
      assert.equal(await store.get(a), undefined);
      assert.equal(await store.get(b), undefined);
      assert.equal(await store.get(c), '3');
      await store.delete(c);
      assert.equal(await store.get(c), undefined);
    });

    it('collects set members once each and takeSet empties the set', async () => {
      const key = unique('set');
      await store.addToSet(key, 'a', 60);
      await store.addToSet(key, 'b', 60);
      await store.addToSet(key, 'a', 60);
      assert.deepEqual((await store.takeSet(key)).sort(), ['a', 'b']);
      assert.deepEqual(await store.takeSet(key), []);
    });

    it('hands each member of a set to only one of two concurrent takeSets', async () => {
      const key = unique('set-race');
      const members = Array.from({ length: 20 }, (_, index) => `m${index}`);
      for (const member of members) await store.addToSet(key, member, 60);
      const [first, second] = await Promise.all([store.takeSet(key), store.takeSet(key)]);
      assert.deepEqual([...first!, ...second!].sort(), [...members].sort());
    });

    it('forgets values and sets when their TTL passes, and a set lives as long as its longest TTL', async () => {
      const shortValue = unique('ttl');
      const longValue = unique('ttl');
      const shortSet = unique('ttl-set');
      const extendedSet = unique('ttl-set');
      const notShortenedSet = unique('ttl-set');
      await store.set(shortValue, 'short', 1);
      await store.set(longValue, 'long', 60);
      await store.addToSet(shortSet, 'x', 1);
      await store.addToSet(extendedSet, 'x', 1);
      await store.addToSet(extendedSet, 'y', 60);
      await store.addToSet(notShortenedSet, 'x', 60);
      await store.addToSet(notShortenedSet, 'y', 1);
      assert.equal(await store.get(shortValue), 'short');

      await sleep(2200); // TTLs are whole seconds: 1 s has certainly passed after 2.2 s.

      assert.equal(await store.get(shortValue), undefined);
      assert.equal(await store.take(shortValue), undefined);
      assert.equal(await store.get(longValue), 'long');
      assert.deepEqual(await store.takeSet(shortSet), []);
      assert.deepEqual((await store.takeSet(extendedSet)).sort(), ['x', 'y']);
      assert.deepEqual((await store.takeSet(notShortenedSet)).sort(), ['x', 'y']);
    });

    it('revokes every artifact of a grant through the oidc-provider adapter, and nothing else', async () => {
      const grantId = unique('grant');
      const otherGrantId = unique('grant');
      const tokens = new StoreAdapter(store, 'AccessToken');
      const codes = new StoreAdapter(store, 'AuthorizationCode');
      const payload = (grant: string, extra: Partial<AdapterPayload> = {}): AdapterPayload => ({
        grantId: grant,
        exp: Math.floor(Date.now() / 1000) + 600,
        ...extra,
      });
      const [tokenId, codeId, otherTokenId] = [unique('at'), unique('code'), unique('at')];
      await tokens.upsert(tokenId, payload(grantId), 600);
      await codes.upsert(codeId, payload(grantId), 60);
      await tokens.upsert(otherTokenId, payload(otherGrantId), 600);
      assert.ok(await tokens.find(tokenId));

      await tokens.revokeByGrantId(grantId);

      assert.equal(await tokens.find(tokenId), undefined);
      assert.equal(await codes.find(codeId), undefined);
      assert.deepEqual((await tokens.find(otherTokenId))?.grantId, otherGrantId);
    });

    it('finds sessions by uid and marks codes consumed through the adapter', async () => {
      const sessions = new StoreAdapter(store, 'Session');
      const codes = new StoreAdapter(store, 'AuthorizationCode');
      const [sessionId, uid, codeId] = [unique('sess'), unique('uid'), unique('code')];
      await sessions.upsert(sessionId, { uid, accountId: 'acc' }, 600);
      assert.equal((await sessions.findByUid(uid))?.accountId, 'acc');
      await codes.upsert(codeId, { exp: Math.floor(Date.now() / 1000) + 60 }, 60);
      await codes.consume(codeId);
      assert.equal(typeof (await codes.find(codeId))?.consumed, 'number');
      await sessions.destroy(sessionId);
      assert.equal(await sessions.find(sessionId), undefined);
    });
  });
}
