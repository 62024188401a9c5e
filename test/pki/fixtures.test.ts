import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrustStore } from '../../src/pki/trust-store.js';
import { validatePath } from '../../src/pki/validate-path.js';
import { loadFixture } from './helpers.js';

/** Regressions on public certificates of real cards, validated at a time inside validity. */

const DNIE_TIME = new Date('2025-06-01T00:00:00Z');
const ESTEID_TIME = new Date('2022-06-01T00:00:00Z');

function store(anchorFile: string, intermediateFiles: string[] = []): TrustStore {
  const [certificate] = loadFixture(anchorFile);
  assert.ok(certificate);
  return TrustStore.fromCertificates({
    anchors: [{ certificate, environment: 'production', profile: 'es-dnie' }],
    intermediates: intermediateFiles.flatMap(loadFixture),
  });
}

function der(file: string): Uint8Array {
  const [certificate] = loadFixture(file);
  assert.ok(certificate);
  return certificate.der;
}

describe('real eID chains', () => {
  const dnieRoot = 'CA-ES-AC-RAIZ-DNIE-2-root.pem';
  const dnieIntermediate = 'CA-ES-AC-DNIE-004-intermediate.pem';
  const dnieLeaf = 'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem';

  it('accepts the DNIe AC004 authentication certificate up to AC RAIZ DNIE 2', async () => {
    const result = await validatePath([der(dnieLeaf), der(dnieIntermediate)], store(dnieRoot), {
      at: DNIE_TIME,
    });
    assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.detail}`);
    assert.equal(result.ok && result.anchor.profile, 'es-dnie');
    assert.equal(result.ok && result.path.length, 2);
  });

  it('accepts the DNIe leaf alone when the store knows AC DNIE 004', async () => {
    const result = await validatePath([der(dnieLeaf)], store(dnieRoot, [dnieIntermediate]), {
      at: DNIE_TIME,
    });
    assert.equal(result.ok, true);
  });

  it('refuses the expired fictitious DNIe citizen as expired', async () => {
    const expired = 'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-caducado-expired.pem';
    const result = await validatePath([der(expired)], store(dnieRoot, [dnieIntermediate]), {
      at: DNIE_TIME,
    });
    assert.equal(result.ok ? 'ok' : result.code, 'CERT_EXPIRED');
  });

  it('refuses the DNIe leaf under another country root as untrusted', async () => {
    const result = await validatePath(
      [der(dnieLeaf), der(dnieIntermediate)],
      store('CA-PT-ECRaizEstado-002-root.pem'),
      { at: DNIE_TIME },
    );
    assert.equal(result.ok ? 'ok' : result.code, 'CHAIN_UNTRUSTED');
  });

  const esteid = 'CA-EE-TEST-of-ESTEID2018-intermediate.pem';

  it('accepts the Estonian test card trusted through its intermediate', async () => {
    const leaf = 'TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem';
    const result = await validatePath([der(leaf)], store(esteid), { at: ESTEID_TIME });
    assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.detail}`);
  });

  it('refuses the TAMPERED Estonian certificate for its signature', async () => {
    const leaf = 'TEST-EE-ESTEID2018-JOEORG-auth-TAMPERED-wrongpolicy-badsig.pem';
    const result = await validatePath([der(leaf)], store(esteid), { at: ESTEID_TIME });
    assert.equal(result.ok ? 'ok' : result.code, 'CERT_SIGNATURE_INVALID');
  });
});
