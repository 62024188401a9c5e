import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { adminEnabled, readAdminSettings } from '../../src/admin/settings.js';
import { loadServerConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

function directory(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'eid-idp-admin-settings-'));
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the settings to be refused');
}

const FINGERPRINT = 'AB:'.repeat(31) + 'CD';

describe('admin settings', () => {
  it('are off by default: no certificate, no token, admin disabled', () => {
    const config = loadServerConfig({}, directory());
    const settings = readAdminSettings(config.admin);
    assert.deepEqual(settings, { certificateFingerprints: [], token: undefined });
    assert.equal(adminEnabled(settings), false);
  });

  it('accept fingerprints as openssl prints them and resolve the token file beside the config', () => {
    const dir = directory();
    writeFileSync(path.join(dir, 'admin-token'), `${'t'.repeat(40)}\n`, { mode: 0o600 });
    const file = path.join(dir, 'server.yaml');
    writeFileSync(
      file,
      [
        'admin:',
        `  certificateFingerprints: ['${FINGERPRINT}']`,
        '  tokenFile: admin-token',
        '',
      ].join('\n'),
    );
    const config = loadServerConfig({ EID_IDP_CONFIG: file }, '/');
    assert.deepEqual(config.admin.certificateFingerprints, ['ab'.repeat(31) + 'cd']);
    assert.equal(config.admin.tokenFile, path.join(dir, 'admin-token'));
    const settings = readAdminSettings(config.admin);
    assert.equal(settings.token, 't'.repeat(40));
    assert.equal(adminEnabled(settings), true);
  });

  it('take the token file from EID_IDP_ADMIN_TOKEN_FILE, relative to the working directory', () => {
    const dir = directory();
    writeFileSync(path.join(dir, 'token'), 'u'.repeat(48), { mode: 0o600 });
    const config = loadServerConfig({ EID_IDP_ADMIN_TOKEN_FILE: 'token' }, dir);
    assert.equal(config.admin.tokenFile, path.join(dir, 'token'));
    assert.equal(readAdminSettings(config.admin).token, 'u'.repeat(48));
  });

  it('refuse a fingerprint that is not SHA-256, naming file, line and setting', () => {
    const dir = directory();
    const file = path.join(dir, 'server.yaml');
    writeFileSync(file, ['admin:', '  certificateFingerprints:', '    - 0123abcd', ''].join('\n'));
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.setting, 'admin.certificateFingerprints[0]');
    assert.equal(error.line, 3);
    assert.match(error.message, /SHA-256 fingerprint/);
  });

  it('refuse a short token and a token file others can read', () => {
    const dir = directory();
    const short = path.join(dir, 'short');
    writeFileSync(short, 'too-short', { mode: 0o600 });
    const shortError = errorOf(() =>
      readAdminSettings({ certificateFingerprints: [], tokenFile: short }),
    );
    assert.equal(shortError.setting, 'admin.tokenFile');
    assert.match(shortError.message, /at least 32 characters/);

    const open = path.join(dir, 'open');
    writeFileSync(open, 'x'.repeat(40));
    chmodSync(open, 0o644);
    const openError = errorOf(() =>
      readAdminSettings({ certificateFingerprints: [], tokenFile: open }),
    );
    assert.match(openError.message, /readable by other users/);

    const missing = errorOf(() =>
      readAdminSettings({ certificateFingerprints: [], tokenFile: path.join(dir, 'absent') }),
    );
    assert.match(missing.message, /does not exist/);
  });
});
