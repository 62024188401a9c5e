import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publicKeyHash } from '../../../src/pki/revocation/cert-id.js';
import { OcspClient } from '../../../src/pki/revocation/ocsp-client.js';
import { revocationSettings } from '../../../src/pki/revocation/settings.js';
import { startOpensslResponder, type RunningResponder } from '../../support/ocsp-responder.js';
import { makeOpensslCa } from '../../support/openssl-ca.js';
import { makeDniePki, revocationPointers } from '../../support/pki.js';
import {
  openTestRedisStore,
  SHARED_REDIS_URL,
  uniquePrefix,
  type OpenedRedisStore,
} from '../../store/redis-test-store.js';
import { parsed } from './helpers.js';

/**
 * Two IdP instances share OCSP verdicts through Redis: the second asks no responder, and
 * the entry expires with the verdict (TTL bounded by ocsp.cacheMaxAgeSeconds).
 */
describe('OCSP verdicts shared through Redis', () => {
  const prefix = uniquePrefix('ocsp-cache');
  let first: OpenedRedisStore;
  let second: OpenedRedisStore;
  let responder: RunningResponder;
  const clients: OcspClient[] = [];

  before(async () => {
    first = await openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'ocsp-cache', prefix);
    second = await openTestRedisStore({ mode: 'standalone', url: SHARED_REDIS_URL }, 'ocsp-cache', prefix);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await responder?.close();
    await first.cleanup();
    await second.store.close();
  });

  it('lets a second instance answer from the first one’s verified response', async () => {
    const pki = await makeDniePki();
    const ca = await makeOpensslCa(pki.issuing);
    responder = await startOpensslResponder({
      indexFile: ca.indexFile,
      caFile: ca.certFile,
      signerCertFile: ca.certFile,
      signerKeyFile: ca.keyFile,
    });
    const citizen = await pki.citizen({ extensions: revocationPointers({ ocspUrl: responder.url }) });
    ca.revoke(citizen, 'keyCompromise');
    const issuer = parsed(pki.issuing);
    const settings = revocationSettings({ ocsp: { cacheMaxAgeSeconds: 120 } });
    const instanceA = new OcspClient(settings, first.store);
    const instanceB = new OcspClient(settings, second.store);
    clients.push(instanceA, instanceB);

    const answered = await instanceA.check(parsed(citizen), issuer, new Date());
    assert.equal(answered.status, 'revoked');
    assert.equal(responder.requests(), 1);

    const shared = await instanceB.check(parsed(citizen), issuer, new Date());
    assert.equal(shared.status, 'revoked');
    assert.equal(shared.status === 'revoked' && shared.cached, true);
    assert.equal(responder.requests(), 1, 'the second instance asked no responder');

    const key = `${prefix}ocsp:${publicKeyHash(issuer.spkiDer).toString('hex')}:${parsed(citizen).serialNumber}`;
    const ttl = await second.store.client.ttl(key);
    assert.ok(ttl > 0 && ttl <= 120, `the entry expires within the max age (ttl ${ttl})`);
  });
});
