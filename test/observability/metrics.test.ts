import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { loadServerConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { IdpMetrics } from '../../src/observability/metrics.js';
import { serveMetrics } from '../../src/server/metrics-listener.js';
import { createStore } from '../../src/store/create-store.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, loginWith, presentCertificate, relyingParty } from '../support/login-flow.js';
import { freePort } from '../proxy/nginx.js';

/** The value of one sample line of the exposition, e.g. `name{a="b"} 3`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let idp: TestIdp;
  let config: oidc.Configuration;

  before(async () => {
    idp = await startTestIdp();
    config = await relyingParty(idp);
  });
  after(() => idp.close());

  it('counts logins by outcome and profile, and times certificate validation', async () => {
    await loginWith(idp, new TestBrowser({ caPem: idp.tlsCaPem }), config, await idp.pki.citizen());
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config);
    const refused = await presentCertificate(idp, browser, started.uid, null);
    assert.equal(refused.status, 403);

    const { body, contentType } = await idp.metrics.exposition();
    assert.match(contentType, /^text\/plain/);
    assert.equal(sample(body, 'eid_idp_logins_total', { outcome: 'succeeded', profile: 'es-dnie' }), 1);
    assert.equal(sample(body, 'eid_idp_logins_total', { outcome: 'refused', code: 'CERT_MISSING' }), 1);
    assert.equal(
      sample(body, 'eid_idp_certificate_decisions_total', { outcome: 'accepted', profile: 'es-dnie', source: 'tls' }),
      1,
    );
    assert.equal(
      sample(body, 'eid_idp_certificate_decisions_total', { outcome: 'refused', code: 'CERT_MISSING', source: 'tls' }),
      1,
    );
    assert.equal(sample(body, 'eid_idp_certificate_validation_seconds_count', { outcome: 'accepted' }), 1);
    assert.equal(sample(body, 'eid_idp_certificate_validation_seconds_count', { outcome: 'refused' }), 1);
    assert.doesNotMatch(body, /00000000T|JUAN|ESPAÑOL/, 'no personal data in labels');
  });

  it('offers hooks for OCSP latency, cache lookups and store errors', async () => {
    const metrics = new IdpMetrics();
    metrics.observeOcsp(0.2, 'good');
    await metrics.timeOcsp(async () => 'revoked' as const, (status) => status);
    await assert.rejects(metrics.timeOcsp(async () => Promise.reject(new Error('responder down')), () => 'good'));
    metrics.countCacheLookup('ocsp', true);
    metrics.countCacheLookup('ocsp', true);
    metrics.countCacheLookup('ocsp', false);
    const { body } = await metrics.exposition();
    assert.equal(sample(body, 'eid_idp_ocsp_request_seconds_count', { outcome: 'good' }), 1);
    assert.equal(sample(body, 'eid_idp_ocsp_request_seconds_count', { outcome: 'revoked' }), 1);
    assert.equal(sample(body, 'eid_idp_ocsp_request_seconds_count', { outcome: 'error' }), 1);
    assert.equal(sample(body, 'eid_idp_cache_lookups_total', { cache: 'ocsp', result: 'hit' }), 2);
    assert.equal(sample(body, 'eid_idp_cache_lookups_total', { cache: 'ocsp', result: 'miss' }), 1);
  });

  it('counts failed store commands of a Redis that does not answer (as start.ts wires it)', async () => {
    // A real ioredis client against a loopback port where nothing listens.
    const config = loadServerConfig({ EID_IDP_STORE_URL: `redis://127.0.0.1:${await freePort()}` }, '/');
    const metrics = new IdpMetrics();
    const store = createStore(config.store, {
      logger: createLogger('fatal'),
      onRedisError: (operation) => metrics.countStoreError(operation),
    });
    try {
      await assert.rejects(store.get('eid-idp-metrics-test:missing'));
    } finally {
      await store.close().catch(() => undefined);
    }
    const { body } = await metrics.exposition();
    const errors = body
      .split('\n')
      .filter((line) => line.startsWith('eid_idp_store_errors_total{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    assert.ok(errors >= 1, body);
  });

  it('serves /metrics on its own listener, behind a bearer token when configured', async () => {
    const metrics = new IdpMetrics();
    metrics.countCacheLookup('crl', false);
    const listener = await serveMetrics({
      metrics,
      host: '127.0.0.1',
      port: 0,
      token: 'scrape-token-0123456789',
      logger: createLogger('fatal'),
    });
    try {
      const url = `http://127.0.0.1:${listener.port}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const ok = await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /eid_idp_cache_lookups_total\{cache="crl",result="miss"\} 1/);
      assert.equal((await fetch(`http://127.0.0.1:${listener.port}/other`)).status, 404);
    } finally {
      await listener.close();
    }
  });
});
