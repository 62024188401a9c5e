import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Issued } from '../../../src/cli/dev-pki.js';
import type { ParsedCertificate } from '../../../src/pki/certificate.js';
import { publicKeyHash } from '../../../src/pki/revocation/cert-id.js';
import { OcspClient } from '../../../src/pki/revocation/ocsp-client.js';
import { revocationSettings, type RevocationSettings } from '../../../src/pki/revocation/settings.js';
import { MemoryStore } from '../../../src/store/memory.js';
import {
  startGarbageResponder,
  startHangingResponder,
  startOpensslResponder,
  type RunningResponder,
} from '../../support/ocsp-responder.js';
import { makeOpensslCa, type OpensslCa } from '../../support/openssl-ca.js';
import { makeDniePki, revocationPointers, type TestPki } from '../../support/pki.js';
import { parsed } from './helpers.js';

/**
 * OCSP against a real `openssl ocsp` responder answering from an `openssl ca` index: good,
 * revoked and unknown, signed by the CA and by a designated responder; plus responders that
 * hang, talk garbage, sign without authority or answer with a stale nextUpdate.
 */

let pki: TestPki;
let ca: OpensslCa;
let issuer: ParsedCertificate;
const responders: RunningResponder[] = [];
const clients: OcspClient[] = [];

interface ResponderOptions {
  designated?: boolean;
  eku?: string[];
  nextUpdateMinutes?: number;
  byKey?: boolean;
}

async function responder(options: ResponderOptions = {}) {
  const signer =
    options.designated || options.eku
      ? await ca.issueResponder(options.eku ? { eku: options.eku } : {})
      : { certFile: ca.certFile, keyFile: ca.keyFile };
  const running = await startOpensslResponder({
    indexFile: ca.indexFile,
    caFile: ca.certFile,
    signerCertFile: signer.certFile,
    signerKeyFile: signer.keyFile,
    ...(options.nextUpdateMinutes === undefined ? {} : { nextUpdateMinutes: options.nextUpdateMinutes }),
    responderIdByKey: options.byKey ?? false,
  });
  responders.push(running);
  return running;
}

function client(partial: Partial<Record<keyof RevocationSettings, unknown>> = {}, store = new MemoryStore()) {
  const made = new OcspClient(
    revocationSettings({ ocsp: { connectTimeoutMs: 500, readTimeoutMs: 700, totalTimeoutMs: 1500 }, ...partial }),
    store,
  );
  clients.push(made);
  return made;
}

function forIssuer(urls: { ocspUrl: string; ocspFallbackUrls?: string[] }) {
  return { spkiSha256: issuer.spkiSha256, ocspFallbackUrls: [], crlUrls: [], ...urls };
}

async function citizen(status: 'good' | 'revoked' | 'unlisted', ocspUrl?: string): Promise<Issued> {
  const issued = await pki.citizen(ocspUrl ? { extensions: revocationPointers({ ocspUrl }) } : {});
  if (status === 'good') ca.register(issued);
  if (status === 'revoked') ca.revoke(issued, 'keyCompromise');
  return issued;
}

before(async () => {
  pki = await makeDniePki();
  ca = await makeOpensslCa(pki.issuing);
  issuer = parsed(pki.issuing);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(responders.map((r) => r.close()));
});

describe('OCSP with a real openssl responder', () => {
  it('says good, revoked and unknown for a CA-signed responder found through the AIA URL', async () => {
    const good = await citizen('good');
    const revoked = await citizen('revoked');
    const unlisted = await citizen('unlisted');
    const running = await responder();
    const ocsp = client();
    // The same serial number, now with the responder's URL in its AIA.
    const withAia = async (issued: Issued) => {
      const card = await pki.citizen({
        keys: issued.keys,
        serialNumber: issued.certificate.serialNumber,
        extensions: revocationPointers({ ocspUrl: running.url }),
      });
      return ocsp.check(parsed(card), issuer, new Date());
    };

    assert.equal((await withAia(good)).status, 'good');
    assert.equal((await withAia(revoked)).status, 'revoked');
    assert.equal((await withAia(unlisted)).status, 'unknown');
  });

  it('accepts a designated responder the CA issued for OCSP signing', async () => {
    const running = await responder({ designated: true });
    const good = await citizen('good', running.url);
    const revoked = await citizen('revoked', running.url);
    const ocsp = client();

    const first = await ocsp.check(parsed(good), issuer, new Date());
    assert.equal(first.status, 'good');
    assert.match(first.status === 'good' ? first.detail : '', /designated responder/);
    assert.equal((await ocsp.check(parsed(revoked), issuer, new Date())).status, 'revoked');
  });

  it('recognises responders identified by key hash, the CA and a designated one', async () => {
    for (const designated of [false, true]) {
      const running = await responder({ designated, byKey: true });
      const revoked = await citizen('revoked', running.url);
      assert.equal((await client().check(parsed(revoked), issuer, new Date())).status, 'revoked');
    }
  });

  it('refuses a responder certificate without id-kp-OCSPSigning', async () => {
    const running = await responder({ eku: ['1.3.6.1.5.5.7.3.2'] });
    const good = await citizen('good', running.url);
    const outcome = await client().check(parsed(good), issuer, new Date());

    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /did not authorise/);
  });

  it('refuses a response signed by another CA with the same name', async () => {
    const impostorPki = await makeDniePki();
    const impostor = await makeOpensslCa(impostorPki.issuing);
    const good = await citizen('good');
    impostor.register(good);
    const running = await startOpensslResponder({
      indexFile: impostor.indexFile,
      caFile: impostor.certFile,
      signerCertFile: impostor.certFile,
      signerKeyFile: impostor.keyFile,
    });
    responders.push(running);
    const outcome = await client({ issuers: [forIssuer({ ocspUrl: running.url })] }).check(
      parsed(good),
      issuer,
      new Date(),
      forIssuer({ ocspUrl: running.url }),
    );

    assert.equal(outcome.status, 'unavailable');
  });

  it('treats a response whose nextUpdate has passed at the validation time as unavailable', async () => {
    const running = await responder({ nextUpdateMinutes: 1 });
    const good = await citizen('good', running.url);
    const ocsp = client({ clockSkewSeconds: 0 });
    const later = new Date(Date.now() + 30 * 60_000);

    const outcome = await ocsp.check(parsed(good), issuer, later);
    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /expired/);
    assert.equal((await ocsp.check(parsed(good), issuer, new Date())).status, 'good');
  });

  it('gives up on a responder that hangs and says so, within the configured timeouts', async () => {
    const hanging = await startHangingResponder();
    responders.push(hanging);
    const good = await citizen('good', hanging.url);
    const outcome = await client().check(parsed(good), issuer, new Date());

    assert.equal(outcome.status, 'unavailable');
    assert.match(outcome.detail, /did not answer in time/);
    assert.equal(hanging.requests(), 1);
  });

  it('skips a responder that just timed out, so an outage costs one login the wait, not all', async () => {
    const hanging = await startHangingResponder();
    responders.push(hanging);
    const ocsp = client({ ocsp: { connectTimeoutMs: 500, readTimeoutMs: 700, totalTimeoutMs: 1500, responderBackoffSeconds: 60 } });
    const first = await ocsp.check(parsed(await citizen('good', hanging.url)), issuer, new Date());
    assert.match(first.detail, /did not answer in time/);

    const second = await ocsp.check(parsed(await citizen('good', hanging.url)), issuer, new Date());
    assert.equal(second.status, 'unavailable');
    assert.match(second.detail, /skipped after a recent failure/);
    assert.equal(hanging.requests(), 1, 'the second login did not wait for the hanging responder');
  });

  it('treats garbage as unavailable, then asks the fallback responder', async () => {
    const garbage = await startGarbageResponder();
    responders.push(garbage);
    const running = await responder();
    const good = await citizen('good');
    const settings = forIssuer({ ocspUrl: garbage.url, ocspFallbackUrls: [running.url] });
    const ocsp = client({ issuers: [settings] });

    const outcome = await ocsp.check(parsed(good), issuer, new Date(), settings);
    assert.equal(outcome.status, 'good');
    assert.equal(garbage.requests(), 1);

    const onlyGarbage = forIssuer({ ocspUrl: garbage.url });
    const other = await citizen('good');
    const refused = await client().check(parsed(other), issuer, new Date(), onlyGarbage);
    assert.equal(refused.status, 'unavailable');
    assert.match(refused.detail, /not an OCSP response|malformed|BasicOCSPResponse/);
  });

  it('sends a nonce when configured and accepts the echo', async () => {
    const running = await responder();
    const good = await citizen('good', running.url);
    const outcome = await client({ ocsp: { nonce: true } }).check(parsed(good), issuer, new Date());
    assert.equal(outcome.status, 'good');
  });

  it('caches a verdict in the shared store, so another instance asks no responder', async () => {
    const running = await responder();
    const good = await citizen('good', running.url);
    const store = new MemoryStore();
    const first = await client({}, store).check(parsed(good), issuer, new Date());
    assert.equal(first.status === 'good' && first.cached, false);

    await running.close();
    const second = await client({}, store).check(parsed(good), issuer, new Date());
    assert.equal(second.status, 'good');
    assert.equal(second.status === 'good' && second.cached, true);
    const keyHash = publicKeyHash(issuer.spkiDer).toString('hex');
    const stored = await store.get(`ocsp:${keyHash}:${parsed(good).serialNumber}`);
    assert.ok(stored, 'the verdict is stored under ocsp:<issuerKeyHash>:<serial>');
  });
});
