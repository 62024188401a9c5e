import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Issued } from '../../../src/cli/dev-pki.js';
import { decideCertificate } from '../../../src/pki/decision.js';
import { RevocationChecker } from '../../../src/pki/revocation/checker.js';
import { revocationSettings } from '../../../src/pki/revocation/settings.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { MemoryStore } from '../../../src/store/memory.js';
import {
  startGarbageResponder,
  startHangingResponder,
  startOpensslResponder,
  type RunningResponder,
} from '../../support/ocsp-responder.js';
import { makeOpensslCa, type OpensslCa } from '../../support/openssl-ca.js';
import { makeDniePki, revocationPointers, type TestPki } from '../../support/pki.js';
import { startCrlServer, type CrlServer } from './crl-server.js';
import { parsed } from './helpers.js';

/**
 * The revocation step inside the one decision function: method order and fallback, the
 * per-profile failure policy, and what the decision says in each case.
 */

let pki: TestPki;
let ca: OpensslCa;
let trustStore: TrustStore;
let good: RunningResponder;
let hanging: RunningResponder;
let garbage: RunningResponder;
let crlServer: CrlServer;
const checkers: RevocationChecker[] = [];

const FAST = { ocsp: { connectTimeoutMs: 300, readTimeoutMs: 500, totalTimeoutMs: 800 } };

function checker(partial: Record<string, unknown>): RevocationChecker {
  const made = new RevocationChecker({
    settings: revocationSettings({ ...FAST, ...partial }),
    store: new MemoryStore(),
  });
  checkers.push(made);
  return made;
}

async function card(where: { ocspUrl?: string; crlUrl?: string }, state: 'good' | 'revoked' | 'unlisted' = 'good') {
  const issued = await pki.citizen({ extensions: revocationPointers(where) });
  if (state === 'good') ca.register(issued);
  if (state === 'revoked') ca.revoke(issued, 'keyCompromise');
  return issued;
}

function decide(issued: Issued, revocation: RevocationChecker, skipRevocation = false) {
  return decideCertificate(
    [new Uint8Array(issued.certificate.rawData)],
    { trustStore, revocation, skipRevocation },
  );
}

before(async () => {
  pki = await makeDniePki();
  ca = await makeOpensslCa(pki.issuing);
  trustStore = TrustStore.fromCertificates({
    anchors: [{ certificate: parsed(pki.root), profile: 'es-dnie', environment: 'test' }],
    intermediates: [parsed(pki.issuing)],
  });
  good = await startOpensslResponder({
    indexFile: ca.indexFile,
    caFile: ca.certFile,
    signerCertFile: ca.certFile,
    signerKeyFile: ca.keyFile,
  });
  hanging = await startHangingResponder();
  garbage = await startGarbageResponder();
  crlServer = await startCrlServer();
});

after(async () => {
  await Promise.all(checkers.map((c) => c.close()));
  await Promise.all([good.close(), hanging.close(), garbage.close(), crlServer.close()]);
});

describe('revocation in the certificate decision', () => {
  it('accepts a good card with revocation good, and refuses a revoked one with CERT_REVOKED', async () => {
    const revocation = checker({});
    const accepted = await decide(await card({ ocspUrl: good.url }), revocation);
    assert.equal(accepted.ok, true);
    assert.equal(accepted.ok && accepted.revocation, 'good');

    const refused = await decide(await card({ ocspUrl: good.url }, 'revoked'), revocation);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, 'CERT_REVOKED');
    assert.ok(!refused.ok && refused.checks.some((check) => check.name === 'revocation' && !check.ok));
  });

  it('refuses a card the responder does not know with REVOCATION_UNKNOWN', async () => {
    const refused = await decide(await card({ ocspUrl: good.url }, 'unlisted'), checker({}));
    assert.equal(!refused.ok && refused.code, 'REVOCATION_UNKNOWN');
  });

  it('hard-fails with REVOCATION_UNAVAILABLE when the responder hangs', async () => {
    const refused = await decide(await card({ ocspUrl: hanging.url }), checker({ onFailure: 'hard' }));
    assert.equal(!refused.ok && refused.code, 'REVOCATION_UNAVAILABLE');
  });

  it('soft-fails per profile: the login proceeds and the decision says soft_fail', async () => {
    const revocation = checker({ onFailure: 'hard', profiles: { 'es-dnie': { onFailure: 'soft' } } });
    const accepted = await decide(await card({ ocspUrl: hanging.url }), revocation);
    assert.equal(accepted.ok, true);
    assert.equal(accepted.ok && accepted.revocation, 'soft_fail');
    assert.match(accepted.ok ? accepted.revocationReason : '', /did not answer in time/);
  });

  it('falls back to the CRL when OCSP answers garbage, and the CRL decides', async () => {
    const issued = await card({ ocspUrl: garbage.url, crlUrl: crlServer.url('/fallback.crl') }, 'revoked');
    crlServer.set('/fallback.crl', await ca.generateCrl());
    const refused = await decide(issued, checker({}));
    assert.equal(!refused.ok && refused.code, 'CERT_REVOKED');
    assert.match(!refused.ok ? refused.detail : '', /CRL revoked/);
  });

  it('follows a profile that asks for the CRL only', async () => {
    const issued = await card({ ocspUrl: hanging.url, crlUrl: crlServer.url('/only.crl') });
    crlServer.set('/only.crl', await ca.generateCrl());
    const asked = hanging.requests();
    const accepted = await decide(issued, checker({ profiles: { 'es-dnie': { methods: ['crl'] } } }));
    assert.equal(accepted.ok && accepted.revocation, 'good');
    assert.equal(hanging.requests(), asked, 'the OCSP responder was not asked');
  });

  it('says not_checked for a card without any revocation pointer, or offline', async () => {
    const bare = await pki.citizen();
    const accepted = await decide(bare, checker({}));
    assert.equal(accepted.ok && accepted.revocation, 'not_checked');

    const offline = await decide(await card({ ocspUrl: good.url }, 'revoked'), checker({}), true);
    assert.equal(offline.ok && offline.revocation, 'not_checked');
    assert.equal(offline.ok && offline.revocationReason, 'skipped (offline)');
  });

  it('keeps deciding other logins while a multi-megabyte CRL loads in its worker', async () => {
    const bigPki = await makeDniePki({ rootCn: 'TEST RAIZ BIG CRL' });
    const bigCa = await makeOpensslCa(bigPki.issuing);
    bigCa.revokeMany(150_000);
    const bigCard = await bigPki.citizen({ extensions: revocationPointers({ crlUrl: crlServer.url('/big.crl') }) });
    bigCa.revoke(bigCard, 'keyCompromise');
    const bigCrl = await bigCa.generateCrl();
    assert.ok(bigCrl.length > 3_000_000, `a big CRL (${bigCrl.length} bytes)`);
    crlServer.set('/big.crl', bigCrl);

    const revocation = checker({ crl: { firstLoadWaitMs: 120_000 } });
    const order: string[] = [];
    let ticks = 0;
    let loading = true;
    const tick = () => {
      ticks += 1;
      if (loading) setImmediate(tick);
    };
    setImmediate(tick);
    const bigLoad = revocation.crls
      .load(crlServer.url('/big.crl'), parsed(bigPki.issuing))
      .then((index) => {
        order.push('crl loaded');
        return index;
      });
    const other = decide(await card({ ocspUrl: good.url }), revocation).then((decision) => {
      order.push('other login decided');
      return decision;
    });

    const [index, decision] = await Promise.all([bigLoad, other]);
    loading = false;
    assert.equal(decision.ok && decision.revocation, 'good');
    assert.deepEqual(order, ['other login decided', 'crl loaded']);
    assert.ok(ticks > 100, `the event loop kept turning during the load (${ticks} turns)`);
    assert.equal(index.size, 150_001);
    assert.equal(index.isRevoked(parsed(bigCard).serialNumber), true);
  });
});
