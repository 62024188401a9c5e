import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedCertificate } from '../../../src/pki/certificate.js';
import { CrlClient } from '../../../src/pki/revocation/crl-client.js';
import { revocationSettings } from '../../../src/pki/revocation/settings.js';
import { makeOpensslCa, type OpensslCa } from '../../support/openssl-ca.js';
import { makeDniePki, revocationPointers, type TestPki } from '../../support/pki.js';
import { startCrlServer, type CrlServer } from './crl-server.js';
import { parsed } from './helpers.js';

/** CRLs made by `openssl ca -gencrl`, downloaded over HTTP, parsed in a worker thread. */

let pki: TestPki;
let ca: OpensslCa;
let issuer: ParsedCertificate;
let server: CrlServer;
const clients: CrlClient[] = [];

function client(partial: Record<string, unknown> = {}, options: ConstructorParameters<typeof CrlClient>[1] = {}) {
  const made = new CrlClient(revocationSettings({ clockSkewSeconds: 0, ...partial }), options);
  clients.push(made);
  return made;
}

async function citizenAt(path: string, revoked = false): Promise<ParsedCertificate> {
  const issued = await pki.citizen({ extensions: revocationPointers({ crlUrl: server.url(path) }) });
  if (revoked) ca.revoke(issued, 'keyCompromise');
  else ca.register(issued);
  return parsed(issued);
}

before(async () => {
  pki = await makeDniePki();
  ca = await makeOpensslCa(pki.issuing);
  issuer = parsed(pki.issuing);
  server = await startCrlServer();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('CRLs from openssl ca', () => {
  it('finds a revoked certificate and clears a good one, from the distribution point', async () => {
    const good = await citizenAt('/main.crl');
    const revoked = await citizenAt('/main.crl', true);
    server.set('/main.crl', await ca.generateCrl());
    const crls = client();

    const first = await crls.check(revoked, issuer, new Date());
    assert.equal(first.status, 'revoked');
    const second = await crls.check(good, issuer, new Date());
    assert.equal(second.status, 'good');
    assert.equal(second.status === 'good' && second.cached, true, 'the second lookup reuses the index');
    assert.equal(server.downloads('/main.crl'), 1);
  });

  it('uses a configured URL instead of the distribution point', async () => {
    const revoked = await citizenAt('/nowhere.crl', true);
    server.set('/configured.crl', await ca.generateCrl());
    const issuerSettings = {
      spkiSha256: issuer.spkiSha256,
      ocspFallbackUrls: [],
      crlUrls: [server.url('/configured.crl')],
    };
    const outcome = await client().check(revoked, issuer, new Date(), issuerSettings);
    assert.equal(outcome.status, 'revoked');
    assert.equal(server.downloads('/nowhere.crl'), 0);
  });

  it('refuses a CRL whose signature does not verify', async () => {
    const revoked = await citizenAt('/tampered.crl', true);
    const der = await ca.generateCrl();
    der[der.length - 1] ^= 0x01;
    server.set('/tampered.crl', der);
    const outcome = await client().check(revoked, issuer, new Date());
    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /signature/);
  });

  it('refuses a CRL signed by another CA of the same name', async () => {
    const impostor = await makeOpensslCa((await makeDniePki()).issuing);
    const good = await citizenAt('/impostor.crl');
    server.set('/impostor.crl', await impostor.generateCrl());
    const outcome = await client().check(good, issuer, new Date());
    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /signature/);
  });

  it('refuses a CRL whose nextUpdate has passed at the validation time', async () => {
    const good = await citizenAt('/short.crl');
    server.set('/short.crl', await ca.generateCrl({ hours: 1 }));
    const crls = client();
    const later = await crls.check(good, issuer, new Date(Date.now() + 3 * 3600_000));
    assert.equal(later.status, 'unavailable');
    assert.match(later.detail, /not current/);
    assert.equal((await crls.check(good, issuer, new Date())).status, 'good');
  });

  it('refuses a CRL larger than crl.maxBytes without reading it all', async () => {
    const good = await citizenAt('/large.crl');
    ca.revokeMany(2000);
    server.set('/large.crl', await ca.generateCrl());
    const outcome = await client({ crl: { maxBytes: 4096 } }).check(good, issuer, new Date());
    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /4096 bytes/);
  });

  it('refreshes the CRL in the background before it expires', async () => {
    const issued = await pki.citizen({ extensions: revocationPointers({ crlUrl: server.url('/refresh.crl') }) });
    ca.register(issued);
    const card = parsed(issued);
    server.set('/refresh.crl', await ca.generateCrl({ hours: 1 }));
    const crls = client({ crl: { refreshAheadSeconds: 7200 } }, { minRefreshDelayMs: 100 });
    assert.equal((await crls.check(card, issuer, new Date())).status, 'good');

    ca.revoke(issued, 'keyCompromise');
    server.set('/refresh.crl', await ca.generateCrl({ hours: 1 }));
    // No login triggers the download: the refresh timer does. Poll the cached answer.
    let outcome = await crls.check(card, issuer, new Date());
    for (let i = 0; i < 200 && outcome.status !== 'revoked'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = await crls.check(card, issuer, new Date());
    }
    assert.equal(outcome.status, 'revoked');
    assert.equal(outcome.status === 'revoked' && outcome.cached, true);
    assert.ok(server.downloads('/refresh.crl') >= 2);
  });
});
