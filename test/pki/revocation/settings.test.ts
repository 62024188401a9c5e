import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadServerConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

/** The `revocation` section: defaults, a per-profile override, and errors that name the place. */
describe('revocation settings', () => {
  function configFile(text: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-revocation-config-'));
    const file = path.join(dir, 'server.yaml');
    writeFileSync(file, text);
    return file;
  }

  it('defaults to OCSP then CRL, hard fail, and reads per-profile overrides', () => {
    const file = configFile('revocation:\n  profiles:\n    es-fnmt: { onFailure: soft, methods: [crl] }\n');
    const config = loadServerConfig({ EID_IDP_CONFIG: file }, os.tmpdir());
    assert.deepEqual(config.revocation.methods, ['ocsp', 'crl']);
    assert.equal(config.revocation.onFailure, 'hard');
    assert.deepEqual(config.revocation.profiles['es-fnmt'], { onFailure: 'soft', methods: ['crl'] });
    assert.equal(config.revocation.ocsp.cacheMaxAgeSeconds, 3600);
  });

  it('takes the failure policy from EID_IDP_REVOCATION_ON_FAILURE', () => {
    const config = loadServerConfig({ EID_IDP_REVOCATION_ON_FAILURE: 'soft' }, os.tmpdir());
    assert.equal(config.revocation.onFailure, 'soft');
  });

  it('refuses an unknown failure policy naming the file, line and setting', () => {
    const file = configFile('issuer: https://idp.example.test\nrevocation:\n  onFailure: maybe\n');
    assert.throws(
      () => loadServerConfig({ EID_IDP_CONFIG: file }, os.tmpdir()),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.setting === 'revocation.onFailure' &&
        error.file === file &&
        error.line === 3,
    );
  });
});
